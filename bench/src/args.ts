/** Command-line options of `pnpm bench`. */

export const WORKLOADS = ["tumbling", "sliding", "stateless"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface BenchOptions {
  /** Generated events per throughput run. */
  readonly events: number;
  /** Distinct keys of the generated events. */
  readonly keys: number;
  /** Size of the keyed tumbling window, ms. */
  readonly tumblingMs: number;
  /** Duration of the fixed-rate latency phase of the stateless workload, s. */
  readonly latencySeconds: number;
  /** Events per second in the latency phase. */
  readonly rate: number;
  /** Where to write all figures as JSON (null: do not). */
  readonly json: string | null;
  /** Which workloads to run. */
  readonly only: readonly WorkloadName[];
  /** Write a V8 CPU profile of each runner child into this directory (null: do not). */
  readonly profileDir: string | null;
  readonly seed: number;
}

export const DEFAULTS: BenchOptions = {
  events: 10_000_000,
  keys: 10_000,
  tumblingMs: 60_000,
  latencySeconds: 5,
  rate: 10_000,
  json: null,
  only: WORKLOADS,
  profileDir: null,
  seed: 1,
};

const USAGE = `usage: pnpm bench -- [options]
  --events N            generated events per throughput run (default 10000000)
  --keys K              distinct keys (default 10000)
  --tumbling-ms MS      keyed tumbling window size (default 60000)
  --latency-seconds S   length of the 10k events/s latency phase (default 5)
  --rate R              events/s of the latency phase (default 10000)
  --only a,b            workloads to run: ${WORKLOADS.join(", ")}
  --json FILE           also write every figure as JSON
  --profile DIR         write a CPU profile (node --cpu-prof) of each runner child to DIR
  --seed N              generator seed (default 1)`;

export class UsageError extends Error {
  override name = "UsageError";
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
  }
}

function positiveInt(flag: string, raw: string | undefined): number {
  const n = Number(raw?.replaceAll("_", ""));
  if (raw === undefined || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} needs a positive integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function positiveNumber(flag: string, raw: string | undefined): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag} needs a positive number, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const o: { -readonly [K in keyof BenchOptions]: BenchOptions[K] } = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case "--":
        break;
      case "--events":
        o.events = positiveInt(flag, value());
        break;
      case "--keys":
        o.keys = positiveInt(flag, value());
        break;
      case "--tumbling-ms":
        o.tumblingMs = positiveInt(flag, value());
        break;
      case "--latency-seconds":
        o.latencySeconds = positiveNumber(flag, value());
        break;
      case "--rate":
        o.rate = positiveNumber(flag, value());
        break;
      case "--seed":
        o.seed = positiveInt(flag, value());
        break;
      case "--json": {
        const file = value();
        if (!file) throw new UsageError("--json needs a file name");
        o.json = file;
        break;
      }
      case "--profile": {
        const dir = value();
        if (!dir) throw new UsageError("--profile needs a directory");
        o.profileDir = dir;
        break;
      }
      case "--only": {
        const names = (value() ?? "").split(",").filter((s) => s !== "");
        for (const n of names) {
          if (!(WORKLOADS as readonly string[]).includes(n)) {
            throw new UsageError(`--only: unknown workload ${JSON.stringify(n)}`);
          }
        }
        if (names.length === 0) throw new UsageError("--only needs a list of workloads");
        o.only = names as WorkloadName[];
        break;
      }
      case "--help":
      case "-h":
        throw new UsageError("");
      default:
        throw new UsageError(`unknown option ${JSON.stringify(flag)}`);
    }
  }
  return o;
}
