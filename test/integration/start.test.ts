import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JAVA_INSTALL_HINT } from '../../local/dynamodb.js';
import { freePort } from '../../local/ports.js';

/*
 * `npm start` end to end: the real entry point as a child process, on free ports, with
 * stdin closed as in CI. What matters most is what is left afterwards: a DynamoDB Local
 * java process that outlives the stack keeps its port and memory until someone kills it.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = `${ROOT}node_modules/.bin`;
const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
const TIMEOUT = 60_000;

interface Ports {
  PORT: string;
  SES_PORT: string;
  DYNAMODB_PORT: string;
}

interface Stack {
  child: ChildProcess;
  ports: Ports;
  output: () => string;
  /** Resolves once every process holding the output pipes is gone. */
  closed: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function freePorts(): Promise<Ports> {
  return {
    PORT: String(await freePort()),
    SES_PORT: String(await freePort()),
    DYNAMODB_PORT: String(await freePort()),
  };
}

/** Own process group (`detached`), so a test can signal it the way a terminal's Ctrl-C does. */
function launch(
  command: string,
  args: string[],
  env: Record<string, string>,
  { inheritEnv = true } = {},
): Stack {
  const childEnv: NodeJS.ProcessEnv = inheritEnv
    ? { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ''}`, ...env }
    : { ...env };
  for (const name of Object.keys(childEnv)) if (name.startsWith('VITEST')) delete childEnv[name];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let open = 2;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    stream?.on('close', () => {
      open -= 1;
      if (open === 0) markClosed();
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const ports = {
    PORT: env.PORT ?? '',
    SES_PORT: env.SES_PORT ?? '',
    DYNAMODB_PORT: env.DYNAMODB_PORT ?? '',
  };
  return { child, ports, output: () => output, closed, exited };
}

async function waitFor(stack: Stack, what: string, probe: () => Promise<boolean>): Promise<void> {
  let exited = false;
  void stack.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`exited before ${what}:\n${stack.output()}`);
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}:\n${stack.output()}`);
}

async function waitUntilServing(stack: Stack): Promise<void> {
  const { PORT, SES_PORT } = stack.ports;
  await waitFor(stack, 'GET /health', async () => {
    const response = await fetch(`http://127.0.0.1:${PORT}/health`);
    return response.status === 200;
  });
  const health = await fetch(`http://127.0.0.1:${PORT}/health`);
  expect(await health.json()).toEqual({ status: 'ok', version });

  const store = await fetch(`http://127.0.0.1:${SES_PORT}/store`);
  expect(store.status).toBe(200);
  expect(await store.json()).toMatchObject({ emails: [] });
  const inbox = await fetch(`http://127.0.0.1:${SES_PORT}/`);
  expect(inbox.status).toBe(200);
  expect(inbox.headers.get('content-type')).toContain('text/html');
}

function accepts(port: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Live (not zombie) processes whose command line contains `text`; Linux /proc. */
function liveProcessesWith(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(text) && state !== 'Z') found.push(`${pid} ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function expectNothingLeft(ports: Ports): Promise<void> {
  expect(liveProcessesWith(`-port ${ports.DYNAMODB_PORT}`)).toEqual([]);
  expect(await accepts(ports.DYNAMODB_PORT)).toBe(false);
  expect(await accepts(ports.PORT)).toBe(false);
  expect(await accepts(ports.SES_PORT)).toBe(false);
}

/** Last resort so a failing test does not leave a java process behind. */
function killGroup(stack: Stack): void {
  try {
    if (stack.child.pid) process.kill(-stack.child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

describe('npm start (local/start.ts)', () => {
  it(
    'runs via npx tsx and stops everything on Ctrl-C to its process group',
    async () => {
      const ports = await freePorts();
      const stack = launch('npx', ['tsx', 'local/start.ts', '--in-memory'], { ...ports });
      try {
        await waitUntilServing(stack);
        expect(stack.output()).toContain(`http://127.0.0.1:${ports.PORT}`);
        expect(stack.output()).toContain(`curl -s http://127.0.0.1:${ports.PORT}/health`);
        expect(await accepts(ports.DYNAMODB_PORT)).toBe(true);

        // A terminal's Ctrl-C signals the whole foreground group: npm, sh, tsx, node, java.
        // npm itself dies of the signal at once, so its exit status says nothing about
        // the stack; the output and what is left running do.
        process.kill(-(stack.child.pid as number), 'SIGINT');
        await stack.closed;
        expect(stack.output()).toContain('stopped DynamoDB Local');
        expect(stack.output()).not.toMatch(/again: exiting now|could not stop/i);
        await expectNothingLeft(ports);
      } finally {
        killGroup(stack);
      }
    },
    TIMEOUT,
  );

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(
      `exits 0 on ${signal} to the node process alone, having stopped DynamoDB Local itself`,
      async () => {
        const ports = await freePorts();
        // No npm/tsx parent in between: only our process gets the signal, so java stopping
        // proves start.ts stops it (java never sees this signal).
        const stack = launch(
          process.execPath,
          ['--import', 'tsx', 'local/start.ts', '--in-memory'],
          { ...ports },
        );
        try {
          await waitUntilServing(stack);
          stack.child.kill(signal);
          expect(await stack.exited).toEqual({ code: 0, signal: null });
          expect(stack.output()).toContain(`${signal} received`);
          expect(stack.output()).toContain('stopped DynamoDB Local');
          await expectNothingLeft(ports);
        } finally {
          killGroup(stack);
        }
      },
      TIMEOUT,
    );
  }

  it(
    'stops what it started when a later step fails, and exits 1',
    async () => {
      const ports = await freePorts();
      // SES on the DynamoDB port: the clash is found only after java holds the port.
      ports.SES_PORT = ports.DYNAMODB_PORT;
      const stack = launch(process.execPath, ['--import', 'tsx', 'local/start.ts', '--in-memory'], {
        ...ports,
      });
      try {
        expect(await stack.exited).toEqual({ code: 1, signal: null });
        expect(stack.output()).toContain('Could not start the local stack');
        expect(stack.output()).toContain('SES emulator could not listen');
        expect(stack.output()).toContain('stopped DynamoDB Local');
        await expectNothingLeft(ports);
      } finally {
        killGroup(stack);
      }
    },
    TIMEOUT,
  );

  it(
    'exits 1 with a clear message when a port is taken, before starting anything',
    async () => {
      const ports = await freePorts();
      const blocker = createServer();
      await new Promise<void>((resolve) =>
        blocker.listen(Number(ports.DYNAMODB_PORT), '127.0.0.1', resolve),
      );
      try {
        const stack = launch(
          process.execPath,
          ['--import', 'tsx', 'local/start.ts', '--in-memory'],
          { ...ports },
        );
        try {
          expect(await stack.exited).toEqual({ code: 1, signal: null });
          expect(stack.output()).toContain(`Port ${ports.DYNAMODB_PORT} is already in use`);
          expect(stack.output()).toContain('DYNAMODB_PORT');
          expect(liveProcessesWith(`-port ${ports.DYNAMODB_PORT}`)).toEqual([]);
        } finally {
          killGroup(stack);
        }
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    },
    TIMEOUT,
  );

  it(
    'exits 1 with the install hint when java is missing',
    async () => {
      const ports = await freePorts();
      // node is started by absolute path; `java` is on no PATH entry.
      const stack = launch(
        process.execPath,
        ['--import', 'tsx', 'local/start.ts'],
        { HOME: process.env.HOME ?? '/tmp', PATH: '/nonexistent', ...ports },
        { inheritEnv: false },
      );
      try {
        expect(await stack.exited).toEqual({ code: 1, signal: null });
        expect(stack.output()).toContain('needs `java`');
        expect(stack.output()).toContain(JAVA_INSTALL_HINT);
      } finally {
        killGroup(stack);
      }
    },
    TIMEOUT,
  );
});
