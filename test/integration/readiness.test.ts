import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../shared/env.js';
import { expectProblem, invoke } from '../support/invoke.js';

describe('GET /health/ready on DynamoDB Local', () => {
  const tableName = process.env[ENV.tableName];

  afterEach(() => {
    process.env[ENV.tableName] = tableName;
    // The next import builds the composition again, on the real table.
    vi.resetModules();
  });

  it('answers 200 with each check ok, with no token', async () => {
    // Act
    const response = await invoke('GET', '/health/ready');

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { table: 'ok', emailQueue: 'ok' } });
  });

  it('answers 503 NOT_READY naming checks.table when the table it is configured with is missing', async () => {
    // Prepare: a container configured with a table that does not exist
    process.env[ENV.tableName] = `missing-${Date.now()}`;
    vi.resetModules();

    // Act
    const response = await invoke('GET', '/health/ready');

    // Assess
    expectProblem(response, 503, 'NOT_READY');
    expect(response.body.errors).toEqual([
      { path: 'checks.table', message: 'did not answer successfully' },
    ]);
    expect(JSON.stringify(response.body)).not.toContain('missing-');
  });
});
