import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { readCommittedArrow, readCommittedJsonl } from "@tributary/connectors";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, "../bin/tributary.mjs");
const EXAMPLES = resolve(import.meta.dirname, "../../examples");
const WORD_COUNT = join(EXAMPLES, "word-count/pipeline.ts");
const FRAUD = join(EXAMPLES, "fraud-alerts/pipeline.ts");

/** Runs the real `tributary` binary; never throws, returns exit code and output. */
async function tributary(args: string[], cwd = EXAMPLES) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, CI: "1" },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const tempDir = () => mkdtempSync(join(tmpdir(), "tributary-cli-mb-"));
const sorted = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();

describe("tributary run --runner microbatch", () => {
  it("runs the word-count example; its committed file-sink output equals the embedded runner's (JSON Lines and Arrow sinks)", async () => {
    const dir = tempDir();
    const embedded = await tributary([
      "run",
      WORD_COUNT,
      "--sink",
      `counts=file:${dir}/embedded`,
      "--sink",
      `rejected=file:${dir}/embedded-rejected`,
    ]);
    expect(embedded.code).toBe(0);
    const reference = await readCommittedJsonl(join(dir, "embedded"));
    expect(reference.length).toBeGreaterThan(0);

    for (const [args, out] of [
      [["--trigger", "available-now", "--max-rows-per-batch", "7"], "mb-batches"],
      [["--trigger", "once"], "mb-once"],
      [["--trigger", "processing-time:0"], "mb-pt"],
    ] as const) {
      const res = await tributary([
        "run",
        WORD_COUNT,
        "--runner",
        "microbatch",
        ...args,
        "--sink",
        `counts=file:${dir}/${out}`,
        "--sink",
        `rejected=file:${dir}/${out}-rejected`,
        "--checkpoint-dir",
        `${dir}/${out}-checkpoint`,
      ]);
      expect(res.stderr).toMatch(/micro-batches: \d+ .*latency per batch p50 [\d.]+ ms, p99 [\d.]+ ms/);
      expect(res.code).toBe(0);
      expect(sorted(await readCommittedJsonl(join(dir, out)))).toEqual(sorted(reference));
      expect(sorted(await readCommittedJsonl(join(dir, `${out}-rejected`)))).toEqual(
        sorted(await readCommittedJsonl(join(dir, "embedded-rejected"))),
      );
    }
    const batched = await tributary([
      "run",
      WORD_COUNT,
      "--runner",
      "microbatch",
      "--trigger",
      "available-now",
      "--max-rows-per-batch",
      "5",
      "--sink",
      `counts=file:${dir}/arrow?format=arrow`,
      "--sink",
      "rejected=console:stderr",
    ]);
    expect(batched.code).toBe(0);
    expect(batched.stderr).toMatch(/micro-batches: (9|\d\d+) /);
    expect(sorted(await readCommittedArrow(join(dir, "arrow")))).toEqual(sorted(reference));
  }, 120_000);

  it("takes the runner and trigger from tributary.config.json, and LevelDB state with --state level:DIR", async () => {
    const dir = tempDir();
    const input = join(dir, "events.jsonl");
    writeFileSync(
      input,
      `${Array.from({ length: 30 }, (_, i) => JSON.stringify({ k: `k${i % 3}`, ts: i * 100 })).join("\n")}\n`,
    );
    const config = join(dir, "tributary.config.json");
    writeFileSync(
      config,
      JSON.stringify({
        runner: "microbatch",
        trigger: "available-now",
        maxRowsPerBatch: 4,
        sources: { events: `file:${input}` },
        sinks: { counts: "file:out" },
        checkpointDir: "checkpoint",
        state: "level:state",
      }),
    );
    const res = await tributary([
      "run",
      resolve(import.meta.dirname, "fixtures/events-pipeline.ts"),
      "--config",
      config,
    ]);
    expect(res.stderr).toMatch(/micro-batches: 8 \(trigger available-now\)/);
    expect(res.code).toBe(0);
    const out = (await readCommittedJsonl(join(dir, "out"))) as { value: number }[];
    expect(out.reduce((a, r) => a + r.value, 0)).toBe(30);
  });

  it("exits 2 naming the flag and the fix for bad micro-batch flags", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["--trigger", "sometimes"],
        /--trigger sometimes: unknown trigger; use once, available-now or processing-time:DURATION/,
      ],
      [["--trigger", "processing-time:soon"], /--trigger processing-time:soon: "soon" is not a duration/],
      [["--max-rows-per-batch", "0"], /--max-rows-per-batch 0: not a positive whole number/],
      [["--checkpoint-interval", "5s"], /--checkpoint-interval does not apply to --runner microbatch/],
      [["--state", "level:x"], /--state level:x: .*add --checkpoint-dir DIR/],
    ];
    for (const [args, message] of cases) {
      const res = await tributary(["run", WORD_COUNT, "--runner", "microbatch", ...args]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
    }
    const embedded = await tributary(["run", WORD_COUNT, "--trigger", "once"]);
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toMatch(
      /--trigger applies to the micro-batch runner only; add --runner microbatch/,
    );
  });
});

describe("tributary explain --runner microbatch", () => {
  it("marks every node vectorized or row-wise with the reason", async () => {
    const res = await tributary(["explain", FRAUD, "--runner", "microbatch"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^fraud-alerts on the micro-batch runner:/);
    expect(res.stdout).toMatch(/timestamps-\d+ \(timestamps\)\s+vectorized/);
    expect(res.stdout).toMatch(/source:transactions \(source\)\s+- \(/);
    expect(res.stdout).toMatch(/sink:alerts \(sink\)\s+- \(moves data/);
    expect(res.stdout).toMatch(/\d+ vectorized, \d+ row-wise/);

    const file = resolve(import.meta.dirname, "fixtures/mixed-pipeline.ts");
    const json = await tributary(["explain", file, "--vectorization", "--format", "json"], EXAMPLES);
    expect(json.code).toBe(0);
    const nodes = JSON.parse(json.stdout) as { kind: string; status: string; reason?: string }[];
    expect(nodes.find((n) => n.kind === "map")?.status).toBe("vectorized");
    const filter = nodes.find((n) => n.kind === "filter");
    expect(filter?.status).toBe("row-wise");
    expect(filter?.reason).toMatch(/^fn: .*secret/);
    const bad = await tributary(["explain", FRAUD, "--runner", "microbatch", "--format", "dot"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--format dot: unknown format for the vectorization report; use one of text, json/,
    );
  });
});
