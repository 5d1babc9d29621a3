/**
 * Quick throughput check: `node --import tsx runners/microbatch/scripts/quick-bench.ts
 * [tumbling|sliding|all] [events] [tumblingMs] [embedded]` (numbers generator, 10k keys, 1 partition).
 */
import { createSource, type Sink } from "@tributary/connectors";
import { runEmbedded } from "@tributary/runner-embedded";
import { count, max, pipeline, sliding, tumbling } from "@tributary/sdk";
import { runMicroBatch } from "../src/index.ts";

interface Ev {
  key: string;
  value: number;
  ts: number;
}
const [which = "all", eventsArg = "2000000", tumblingArg = "1000", withEmbedded = ""] = process.argv.slice(2);
const events = Number(eventsArg);
const tumblingMs = Number(tumblingArg);

const tumblingP = () =>
  pipeline("q-tumbling", (p) => {
    p.source<Ev>("events")
      .withTimestamps((e) => e.ts)
      .keyBy((e) => e.key)
      .window(tumbling(tumblingMs))
      .aggregate(count())
      .sink("out");
  }).build();
const slidingP = () =>
  pipeline("q-sliding", (p) => {
    p.source<Ev>("events")
      .withTimestamps((e) => e.ts)
      .keyBy((e) => e.key)
      .window(sliding(10_000, 2_000))
      .aggregate(max((e) => e.value))
      .sink("out");
  }).build();

class Counting implements Sink {
  readonly description = "counting";
  n = 0;
  sum = 0;
  write(values: readonly unknown[]): void {
    this.n += values.length;
    for (const v of values) this.sum += (v as { value: number }).value;
  }
  async preCommit(): Promise<unknown> {
    return null;
  }
  async commit(): Promise<void> {}
  async recover(): Promise<void> {}
  async close(): Promise<void> {}
}

async function one(name: string, built: ReturnType<typeof tumblingP>, runner: "mb" | "embedded") {
  const source = createSource(`generator:numbers?seed=1&keys=10000&count=${events}&partitions=1`, {
    recordSchema: {},
  });
  const sink = new Counting();
  const t0 = performance.now();
  const r =
    runner === "mb"
      ? await runMicroBatch(built, { sources: { events: source }, sinks: { out: sink } })
      : await runEmbedded(built, { sources: { events: source }, sinks: { out: sink } });
  const ms = performance.now() - t0;
  const extra = runner === "mb" ? JSON.stringify((r as { kernels: unknown }).kernels) : "";
  console.log(
    `${name} ${runner}: ${(events / ms / 1000).toFixed(2)}M ev/s (${ms.toFixed(0)} ms) panes=${sink.n} sum=${sink.sum.toFixed(2)} rss=${(process.resourceUsage().maxRSS / 1024).toFixed(0)}MB ${extra}`,
  );
}

const runners: ("mb" | "embedded")[] = withEmbedded ? ["mb", "embedded"] : ["mb"];
for (const r of runners) {
  if (which === "all" || which === "tumbling") await one(`tumbling ${tumblingMs}ms count`, tumblingP(), r);
  if (which === "all" || which === "sliding") await one("sliding 10s/2s max", slidingP(), r);
}
