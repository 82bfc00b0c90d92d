import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every function is bundled, in one place: ProjectFunction deploys with it and
 * `npm run bundles` builds with it, so the sizes and start times it reports are the
 * deployed ones.
 *
 * Source maps are written, without the sources inlined, next to the bundle but not
 * loaded at start (no `--enable-source-maps`): Node then parses a map of every bundled
 * module at each cold start. A stack trace in the logs names `index.mjs:line:column`,
 * which the map in the function's asset resolves offline.
 */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // The Node 22 runtime ships AWS SDK v3 and its Smithy packages; bundling them only adds bytes.
  externalModules: ['@aws-sdk/*', '@smithy/*'],
  // Some dependencies still call require(); ESM bundles need it defined.
  banner:
    "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} satisfies BundlingOptions;
