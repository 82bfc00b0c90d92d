import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app.js';

/** cdk.json's context, feature flags included, which `cdk synth` gives the app. */
const { context: cdkJsonContext } = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
) as { context: Record<string, unknown> };

/**
 * Builds the app as `cdk synth` does, but without bundling (infra tests inspect
 * resources, not code), in a temporary folder that `cleanup` removes.
 */
export function synthesizeStack(context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  const { app, stack } = buildApp(
    {
      outdir,
      context: {
        ...cdkJsonContext,
        'aws:cdk:bundling-stacks': [],
        senderEmail: 'tickets@example.com',
        payments: 'test',
        ...context,
      },
    },
    '1.2.3',
  );
  return {
    app,
    stack,
    template: Template.fromStack(stack),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
