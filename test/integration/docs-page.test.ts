import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../local/gateway.js';
import { startTestGateway } from '../support/http-api.js';

/*
 * GET /docs in a real browser: Swagger UI, served by the local gateway from
 * swagger-ui-dist, renders the API's own /openapi.json. Debian's chromium is the browser
 * (playwright-core ships none); without it this test fails rather than skips.
 */

const CHROMIUM = '/usr/bin/chromium';
const HOLD = { method: 'POST', path: '/v1/events/{eventId}/orders' };

describe('the /docs page', () => {
  let gateway: RunningGateway;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `The /docs test drives ${CHROMIUM}, which is not installed: run \`apt-get install -y chromium\``,
      );
    }
    gateway = await startTestGateway();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it('renders the hold route from /openapi.json, loading nothing from elsewhere', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));

    const response = await page.goto(`${gateway.url}/docs`);
    expect(response?.status()).toBe(200);

    // Swagger UI names each operation's block after its tag and operationId.
    const hold = page.locator('#operations-Orders-HoldTickets');
    await hold.waitFor({ state: 'visible', timeout: 20_000 });
    expect(await hold.locator('.opblock-summary-method').textContent()).toBe(HOLD.method);
    expect(await hold.locator('.opblock-summary-path').getAttribute('data-path')).toBe(HOLD.path);

    // Opened, it shows what only the document can tell: the header and the error codes.
    await hold.locator('.opblock-summary').click();
    const body = hold.locator('.opblock-body');
    await body.getByText('Idempotency-Key').first().waitFor({ timeout: 10_000 });
    expect(await body.textContent()).toContain('SOLD_OUT');

    expect(requested).toContain(`${gateway.url}/openapi.json`);
    expect(requested.filter((url) => !url.startsWith(`${gateway.url}/`))).toEqual([]);
  });

  it('serves only the assets the page needs', async () => {
    const css = await fetch(`${gateway.url}/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    const other = await fetch(`${gateway.url}/docs/package.json`);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
  });
  it('GET /graphql is GraphiQL: it runs a query against POST /graphql, loading nothing from elsewhere', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));

    const response = await page.goto(`${gateway.url}/graphql`);
    expect(response?.status()).toBe(200);
    // It opens with the gateway's example query in its (Monaco) editor: run that.
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({
      state: 'visible',
      timeout: 20_000,
    });
    // Not the introspection query it sends first to learn the schema: the one it runs.
    const answered = page.waitForResponse(
      (reply) =>
        reply.url() === `${gateway.url}/graphql` &&
        reply.request().method() === 'POST' &&
        !(reply.request().postData() ?? '').includes('__schema'),
    );
    await page.locator('.graphiql-execute-button').click();
    const reply = await answered;

    expect(reply.status()).toBe(200);
    const answer = await reply.json();
    expect(answer.errors, JSON.stringify(answer)).toBeUndefined();
    expect(Array.isArray(answer.data.events.items)).toBe(true);
    await page.locator('.graphiql-response').getByText('"events"').waitFor({ timeout: 10_000 });
    // Its editor's workers are blobs the page makes itself.
    const elsewhere = requested.filter(
      (url) => !url.startsWith(`${gateway.url}/`) && !url.startsWith(`blob:${gateway.url}/`),
    );
    expect(elsewhere).toEqual([]);
  });
});
