/**
 * `npm run bundles [-- --baseline REF] [--runs K]`: every function bundled as the stack
 * deploys it (lib/bundling.ts), its size, and how long a fresh Node process takes to
 * import the bundles on the cold-start path — next to the same figures for the source
 * tree and the bundling options at REF (default `main`), so a change shows its effect.
 *
 * Import time is measured inside a new `node` per run (median of K), with the flags the
 * function's environment gives Node, and after the bundle's own module-scope work
 * (clients, config): what a cold start pays before the first invocation. Sizes are
 * deterministic; times are this machine's, so compare the two columns, not the numbers
 * with Lambda's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build } from 'esbuild';
import { BUNDLING } from '../lib/bundling.js';
import { ENV } from '../shared/env.js';
import { percentile } from './stats.js';

/** The bundles whose start is measured: the hot path, a read, and what precedes every call. */
const TIMED = ['hold-tickets', 'list-events', 'authorizer'];
export const BUNDLE_LIMIT_BYTES = 300 * 1024;

/** The options project-function.ts had before lib/bundling.ts: a baseline older than it. */
const LEGACY_BUNDLING: BundlingOptions = {
  ...BUNDLING,
  sourcesContent: true,
  externalModules: ['@aws-sdk/*'],
};

interface Variant {
  label: string;
  root: string;
  bundling: BundlingOptions;
  nodeOptions: string;
}

/** What `NodejsFunction` passes esbuild for these options (its bundling.ts, local build). */
export function esbuildOptionsOf(bundling: BundlingOptions): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: bundling.target ?? 'node22',
    format: bundling.format === 'esm' ? 'esm' : 'cjs',
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    sourcesContent: bundling.sourcesContent ?? true,
    external: bundling.externalModules ?? ['@aws-sdk/*'],
    mainFields: bundling.mainFields ?? [],
    ...(bundling.banner !== undefined && { banner: { js: bundling.banner } }),
    logLevel: 'error',
  };
}

export interface Bundle {
  bytes: number;
  /** What it imports at run time: Node's modules and the runtime's AWS SDK. */
  externals: string[];
}

/** Bundles every function of `root`, as index.mjs in one folder each. */
export async function bundleAll(
  root: string,
  bundling: BundlingOptions,
  outDir: string,
): Promise<Map<string, Bundle>> {
  const names = readdirSync(join(root, 'functions'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -3))
    .sort();
  const bundles = new Map<string, Bundle>();
  await Promise.all(
    names.map(async (name) => {
      const result = await build({
        ...esbuildOptionsOf(bundling),
        entryPoints: [join(root, 'functions', `${name}.ts`)],
        outfile: join(outDir, name, 'index.mjs'),
        metafile: true,
      });
      const bundle = Object.entries(result.metafile.outputs).find(([file]) =>
        file.endsWith('index.mjs'),
      );
      const imports = bundle?.[1].imports ?? [];
      bundles.set(name, {
        bytes: bundle?.[1].bytes ?? 0,
        externals: [...new Set(imports.filter((i) => i.external).map((i) => i.path))],
      });
    }),
  );
  return bundles;
}

/** Enough configuration for every composition module to build its clients; nothing is called. */
const FAKE_ENV: Record<string, string> = {
  ...Object.fromEntries(Object.values(ENV).map((name) => [name, `bundles-${name.toLowerCase()}`])),
  [ENV.runtime]: 'aws',
  [ENV.identityProvider]: 'cognito',
  [ENV.tokenJwksUri]: 'https://example.com/.well-known/jwks.json',
  [ENV.liveConnectionsEndpoint]: 'https://example.com/live',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bundles',
  AWS_SECRET_ACCESS_KEY: 'bundles',
  POWERTOOLS_SERVICE_NAME: 'ticketing',
  POWERTOOLS_METRICS_NAMESPACE: 'Ticketing',
};

/** Imports the externals, then the bundle: prints both times (ms) as JSON. */
const IMPORT_TIMER = `const [bundle, ...externals] = process.argv.slice(1);
const start = performance.now();
for (const specifier of externals) await import(specifier);
const between = performance.now();
await import(bundle);
process.stdout.write(JSON.stringify([between - start, performance.now() - between]));`;

interface StartTime {
  /** Loading Node's modules and the AWS SDK, as the runtime does for the bundle. */
  externals: number;
  /** Then parsing and running the bundle, module-scope work included. */
  own: number;
}

/** One fresh `node`, started in `cwd` (where the SDK resolves), importing `bundle`. */
function timeImport(cwd: string, bundle: string, externals: string[], nodeOptions: string) {
  const child = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_TIMER, bundle, ...externals],
    {
      cwd,
      env: { PATH: process.env.PATH, ...FAKE_ENV, NODE_OPTIONS: nodeOptions },
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`Importing ${bundle} failed:\n${child.stderr}`);
  const [externalsMs, ownMs] = JSON.parse(child.stdout) as [number, number];
  return { externals: externalsMs, own: ownMs };
}

const medianOf = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** The project as it is at `ref`, with this checkout's node_modules, and its bundling. */
async function baselineAt(ref: string, scratch: string): Promise<Variant> {
  const root = join(scratch, 'baseline-src');
  mkdirSync(root);
  const archive = execFileSync('git', ['archive', ref, 'functions', 'shared', 'lib']);
  execFileSync('tar', ['-x', '-C', root], { input: archive });
  symlinkSync(resolve('node_modules'), join(root, 'node_modules'));
  const ownBundling = join(root, 'lib', 'bundling.ts');
  const bundling = existsSync(ownBundling)
    ? ((await import(ownBundling)) as { BUNDLING: BundlingOptions }).BUNDLING
    : LEGACY_BUNDLING;
  const construct = readFileSync(join(root, 'lib', 'constructs', 'project-function.ts'), 'utf8');
  return {
    label: ref,
    root,
    bundling,
    nodeOptions: construct.includes('--enable-source-maps') ? '--enable-source-maps' : '',
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const cell = (text: string) => text.padStart(14);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      baseline: { type: 'string', default: 'main' },
      runs: { type: 'string', default: '7' },
    },
  });
  const runs = Number(values.runs);
  const scratch = mkdtempSync(join(tmpdir(), 'bundles-'));
  // Externals (the AWS SDK) resolve from the output folders, as from /var/runtime on Lambda.
  symlinkSync(resolve('node_modules'), join(scratch, 'node_modules'));
  const variants: Variant[] = [
    await baselineAt(values.baseline, scratch),
    { label: 'this tree', root: resolve('.'), bundling: BUNDLING, nodeOptions: '' },
  ];
  const built = await Promise.all(
    variants.map(async (variant, index) => {
      const outDir = join(scratch, `out-${index}`);
      return { variant, outDir, bundles: await bundleAll(variant.root, variant.bundling, outDir) };
    }),
  );
  console.log(`${'bundle size'.padEnd(22)}${built.map((b) => cell(b.variant.label)).join('')}`);
  const names = [...new Set(built.flatMap((b) => [...b.bundles.keys()]))].sort();
  for (const name of names) {
    const sizes = built.map((b) => b.bundles.get(name)?.bytes);
    const over = (sizes.at(-1) ?? 0) > BUNDLE_LIMIT_BYTES ? '  > 300 KB' : '';
    console.log(`${name.padEnd(22)}${sizes.map((s) => cell(s ? kb(s) : '-')).join('')}${over}`);
  }
  console.log(
    `\nimport time, median of ${runs} fresh processes: all / the bundle's own (after the SDK and node: modules)`,
  );
  for (const b of built) {
    console.log(`  ${b.variant.label}: NODE_OPTIONS=${b.variant.nodeOptions || '(none)'}`);
  }
  for (const name of TIMED) {
    const samples = built.map((): StartTime[] => []);
    // Variants take turns, so a busy moment of the machine is shared rather than one-sided.
    for (let run = 0; run < runs; run += 1) {
      built.forEach(({ variant, outDir, bundles }, index) => {
        const bundle = join(outDir, name, 'index.mjs');
        const externals = bundles.get(name)?.externals ?? [];
        samples[index]?.push(timeImport(scratch, bundle, externals, variant.nodeOptions));
      });
    }
    const cells = samples.map((times) => {
      const own = medianOf(times.map((t) => t.own));
      const all = medianOf(times.map((t) => t.externals + t.own));
      return cell(`${all.toFixed(0)} / ${own.toFixed(0)} ms`);
    });
    console.log(`${name.padEnd(22)}${cells.join('')}`);
  }
}

// Only when run as the script: the infra test imports bundleAll from here.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
