import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BUNDLE_LIMIT_BYTES, bundleAll } from '../../bench/bundles.js';
import { BUNDLING } from '../../lib/bundling.js';

/*
 * Every function as the stack bundles it: a bundle's bytes are part of its cold start
 * (fetched, unzipped and parsed before the first request). Sizes are deterministic;
 * start times are not, so `npm run bundles` reports those.
 */

const outDir = mkdtempSync(join(tmpdir(), 'bundles-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/**
 * graphql-js and Yoga alone are over the budget (README, Not yet built). The ceiling moves
 * only with shared code every API function gained (826 KB once the audit actor, email
 * verification and per-client limits landed), never with GraphQL's own.
 */
const GRAPHQL_CEILING_BYTES = 840 * 1024;

it('keeps every function bundle within 300 KB, GraphQL within its own ceiling', async () => {
  const bundles = await bundleAll(resolve('.'), BUNDLING, outDir);

  expect(bundles.size).toBeGreaterThan(40);
  const over = [...bundles]
    .filter(([name, { bytes }]) =>
      name === 'graphql' ? bytes > GRAPHQL_CEILING_BYTES : bytes > BUNDLE_LIMIT_BYTES,
    )
    .map(([name, { bytes }]) => `${name}: ${(bytes / 1024).toFixed(0)} KB`);
  expect(over).toEqual([]);
});
