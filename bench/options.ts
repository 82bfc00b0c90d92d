import { parseArgs } from 'node:util';

/** How the bench gets its N customers' tokens. */
export type UserSetup = 'login' | 'mint';

/**
 * `ga`: holds by count on one hot event; `seated`: holds by seat on seat maps; `fanout`:
 * WebSocket followers of a hot event while it sells out; `reads`: concurrent reads of a
 * hot event's page, before and after the memo of event reads.
 */
export type Scenario = 'ga' | 'seated' | 'fanout' | 'reads';
const SCENARIOS: readonly Scenario[] = ['ga', 'seated', 'fanout', 'reads'];

export interface BenchOptions {
  scenario: Scenario;
  /** N: hold requests (ga, fanout) or buyers of two adjacent seats (seated), one per customer. */
  buyers: number;
  /** C: capacity of the hot event's only ticket type (ga, fanout). */
  capacity: number;
  /** WebSocket followers of the hot event (fanout). */
  subscribers: number;
  /** Concurrent GETs of the hot event per round (reads). */
  readers: number;
  /** Measured rounds of `readers` GETs, for each of before and after (reads). */
  rounds: number;
  /** Best-available buyers of the seated scenario, on their own 1,000-seat map. */
  bestAvailableBuyers: number;
  /** Requests in flight at once, for the holds, the raw-update ceiling and the floor. */
  concurrency: number;
  /** Requests in flight while registering and logging in customers (scrypt-bound). */
  setupConcurrency: number;
  users: UserSetup;
  /** Repetitions of the raw-update ceiling and of each floor variant; the median counts. */
  ceilingRounds: number;
  /** Sequential holds measured with ReturnConsumedCapacity. */
  wcuSamples: number;
  /** Send a unique Idempotency-Key with every hold (adds the Powertools record writes). */
  idempotencyKey: boolean;
  /** Keep HoldTickets' real route throttle (500/s, burst 1000); off by default. */
  apiThrottle: boolean;
  /**
   * Remove the guard in this process (ga: the stock guard; seated: the seat guard): the
   * check must then FAIL (exit 1).
   */
  control: boolean;
  /** 'bar' on a terminal, 'lines' in CI or when piped. */
  progress: 'bar' | 'lines';
  outDir: string;
}

const USAGE = `Usage: npm run bench -- [options]

      --scenario ga|seated|fanout|reads
                             ga: holds by count on one hot event; seated: holds of two
                             adjacent seats on a 2,000-seat map, then best-available
                             holds on a 1,000-seat map; fanout: WebSocket followers of
                             a hot event while it sells out; reads: concurrent GETs of
                             a hot event, memo of event reads off, then on
                                                                    (BENCH_SCENARIO, ga)
  -n, --buyers N             ga, fanout: hold requests, one per customer (2000; fanout
                             300); seated: buyers of two adjacent seats (1200)
                                                                    (BENCH_BUYERS)
  -c, --capacity C           ga, fanout: tickets on sale on the hot event
                                                                    (BENCH_CAPACITY, 500; fanout 200)
      --subscribers S        fanout: WebSocket followers of the hot event
                                                                    (BENCH_SUBSCRIBERS, 500)
      --readers R            reads: GETs in flight at once, per round (BENCH_READERS, 100)
      --rounds K             reads: measured rounds, before and after (BENCH_ROUNDS, 5)
      --best-available-buyers B
                             seated: buyers of 2–4 best-available seats
                                                                    (BENCH_BEST_AVAILABLE_BUYERS, 500)
  -p, --concurrency K        requests in flight                     (BENCH_CONCURRENCY, 32)
      --setup-concurrency K  in flight while creating customers     (BENCH_SETUP_CONCURRENCY, 8)
      --users login|mint     login: register + log in over HTTP (real path, ~2 scrypt
                             hashes per customer); mint: profiles through the user
                             repository and tokens signed with the local IdP key
                             (bench-only, skips scrypt)              (BENCH_USERS, login)
      --ceiling-rounds K     ga: ceiling/floor rounds, median counts (BENCH_CEILING_ROUNDS, 3)
      --wcu-samples K        ga: holds measured for write units     (BENCH_WCU_SAMPLES, 5)
      --idempotency-key      send an Idempotency-Key with each hold (BENCH_IDEMPOTENCY_KEY=1)
      --api-throttle         keep the HoldTickets route throttle    (BENCH_API_THROTTLE=1)
      --control              strip the guard from the hold transaction (bench process only;
                             ga: the stock guard, seated: the seat guard; fanout: every
                             push after the first is dropped as if another covered it)
                             to show the check fails: expect exit 1
      --progress bar|lines   default: bar on a TTY, lines in CI/pipes (BENCH_PROGRESS)
      --out DIR              results folder                         (BENCH_OUT, bench/results)
  -h, --help

Exit code: 0 PASS, 1 a failed oversell, double-sell or final-state check, 2 the bench
itself failed, 130 interrupted.`;

/** Flags that only some scenarios read: given to another, they are a mistake. */
const FLAG_SCENARIOS: Record<string, readonly Scenario[]> = {
  capacity: ['ga', 'fanout'],
  'ceiling-rounds': ['ga'],
  'wcu-samples': ['ga'],
  'best-available-buyers': ['seated'],
  subscribers: ['fanout'],
  buyers: ['ga', 'seated', 'fanout'],
  readers: ['reads'],
  control: ['ga', 'seated', 'fanout'],
  rounds: ['reads'],
};

function parseScenario(raw: string): Scenario {
  const scenario = SCENARIOS.find((known) => known === raw);
  if (!scenario) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}, got "${raw}"`);
  return scenario;
}

/** N's default: seated, more buyers of a pair than the 2,000-seat map has pairs. */
const DEFAULT_BUYERS: Record<Scenario, number> = { ga: 2000, seated: 1200, fanout: 300, reads: 0 };

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

const truthy = (raw: string | undefined): boolean => ['1', 'true', 'yes'].includes(raw ?? '');

export function parseOptions(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      buyers: { type: 'string', short: 'n' },
      capacity: { type: 'string', short: 'c' },
      'best-available-buyers': { type: 'string' },
      subscribers: { type: 'string' },
      readers: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string', short: 'p' },
      'setup-concurrency': { type: 'string' },
      users: { type: 'string' },
      'wcu-samples': { type: 'string' },
      'ceiling-rounds': { type: 'string' },
      'idempotency-key': { type: 'boolean' },
      'api-throttle': { type: 'boolean' },
      control: { type: 'boolean' },
      progress: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const scenario = parseScenario(values.scenario ?? env.BENCH_SCENARIO ?? 'ga');
  const misplaced = Object.entries(FLAG_SCENARIOS).find(
    ([flag, scenarios]) => flag in values && !scenarios.includes(scenario),
  );
  if (misplaced) {
    throw new Error(
      `--${misplaced[0]} is for --scenario ${misplaced[1].join(' or ')}, not ${scenario}`,
    );
  }
  const users = values.users ?? env.BENCH_USERS ?? 'login';
  if (users !== 'login' && users !== 'mint') {
    throw new Error(`--users must be "login" or "mint", got "${users}"`);
  }
  const ci = truthy(env.CI) || env.CI === 'on';
  const progress =
    values.progress ?? env.BENCH_PROGRESS ?? (process.stdout.isTTY && !ci ? 'bar' : 'lines');
  if (progress !== 'bar' && progress !== 'lines') {
    throw new Error(`--progress must be "bar" or "lines", got "${progress}"`);
  }
  return {
    scenario,
    buyers: positiveInt('--buyers', values.buyers ?? env.BENCH_BUYERS, DEFAULT_BUYERS[scenario]),
    capacity: positiveInt(
      '--capacity',
      values.capacity ?? env.BENCH_CAPACITY,
      scenario === 'fanout' ? 200 : 500,
    ),
    subscribers: positiveInt('--subscribers', values.subscribers ?? env.BENCH_SUBSCRIBERS, 500),
    readers: positiveInt('--readers', values.readers ?? env.BENCH_READERS, 100),
    rounds: positiveInt('--rounds', values.rounds ?? env.BENCH_ROUNDS, 5),
    bestAvailableBuyers: positiveInt(
      '--best-available-buyers',
      values['best-available-buyers'] ?? env.BENCH_BEST_AVAILABLE_BUYERS,
      500,
    ),
    concurrency: positiveInt('--concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 32),
    setupConcurrency: positiveInt(
      '--setup-concurrency',
      values['setup-concurrency'] ?? env.BENCH_SETUP_CONCURRENCY,
      8,
    ),
    users,
    ceilingRounds: positiveInt(
      '--ceiling-rounds',
      values['ceiling-rounds'] ?? env.BENCH_CEILING_ROUNDS,
      3,
    ),
    wcuSamples: positiveInt('--wcu-samples', values['wcu-samples'] ?? env.BENCH_WCU_SAMPLES, 5),
    idempotencyKey: values['idempotency-key'] ?? truthy(env.BENCH_IDEMPOTENCY_KEY),
    apiThrottle: values['api-throttle'] ?? truthy(env.BENCH_API_THROTTLE),
    control: values.control ?? false,
    progress,
    outDir: values.out ?? env.BENCH_OUT ?? 'bench/results',
  };
}

export { USAGE };
