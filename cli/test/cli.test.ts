import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { readCommittedJsonl } from "@tributary/connectors";
import { validateIr } from "@tributary/sdk";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, "../bin/tributary.mjs");
const EXAMPLES = resolve(import.meta.dirname, "../../examples");

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

function tempDir() {
  return mkdtempSync(join(tmpdir(), "tributary-cli-"));
}

const FIXTURES = resolve(import.meta.dirname, "fixtures");
/** A small keyed tumbling count over a source named "events" and a sink named "counts". */
const EVENTS_PIPELINE = join(FIXTURES, "events-pipeline.ts");

describe("tributary run", () => {
  it("runs a pipeline over a file and commits exactly its windows to a file sink", async () => {
    const dir = tempDir();
    const input = join(dir, "events.jsonl");
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ k: `k${i % 3}`, ts: i * 100 }));
    writeFileSync(input, `${lines.join("\n")}\n`);
    const file = EVENTS_PIPELINE;
    const res = await tributary([
      "run",
      file,
      "--source",
      `events=file:${input}`,
      "--sink",
      `counts=file:${dir}/out`,
    ]);
    expect(res.stderr).toContain("50 records");
    expect(res.code).toBe(0);
    const out = (await readCommittedJsonl(join(dir, "out"))) as {
      key: string;
      window: { start: number };
      value: number;
    }[];
    // 50 events, 100 ms apart, keys round-robin over 3: each 1 s window has 10 events.
    const total = out.reduce((a, r) => a + r.value, 0);
    expect(total).toBe(50);
    expect(new Set(out.map((r) => r.window.start))).toEqual(new Set([0, 1000, 2000, 3000, 4000]));
  });

  it("exits 2 with one clear line for an unknown source name", async () => {
    const file = EVENTS_PIPELINE;
    const res = await tributary([
      "run",
      file,
      "--source",
      "nope=file:x.jsonl",
      "--source",
      "events=generator:numbers?count=1",
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(/unknown source "nope".*events/);
  });

  it("exits 2 naming the flag for a bad duration", async () => {
    const file = EVENTS_PIPELINE;
    const res = await tributary([
      "run",
      file,
      "--source",
      "events=generator:numbers?count=1",
      "--checkpoint-interval",
      "5 parsecs",
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--checkpoint-interval/);
    expect(res.stderr).toMatch(/5 parsecs/);
  });

  it("exits 2 when the file does not export a pipeline", async () => {
    const file = join(FIXTURES, "no-export.ts");
    const res = await tributary(["run", file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/does not export a pipeline/);
  });

  it("exits 2 for an unbound source, with the fix", async () => {
    const file = EVENTS_PIPELINE;
    const res = await tributary(["run", file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--source events=URI/);
  });

  it("exits 2 for a config file field that does not exist, naming it", async () => {
    const dir = tempDir();
    const config = join(dir, "c.json");
    writeFileSync(
      config,
      JSON.stringify({ sources: { events: "generator:numbers?count=1" }, checkpointEvery: 3 }),
    );
    const res = await tributary(["run", EVENTS_PIPELINE, "--config", config]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/checkpointEvery/);
  });
});

describe("tributary explain and validate", () => {
  it("prints IR that validates, and mermaid and dot graphs naming every node", async () => {
    const json = await tributary(["explain", "fraud-alerts/pipeline.ts"]);
    expect(json.code).toBe(0);
    const ir = validateIr(JSON.parse(json.stdout));
    for (const format of ["mermaid", "dot"]) {
      const res = await tributary(["explain", "fraud-alerts/pipeline.ts", "--format", format]);
      expect(res.code).toBe(0);
      for (const node of ir.nodes) expect(res.stdout).toContain(node.id);
    }
    const dir = tempDir();
    writeFileSync(join(dir, "ir.json"), json.stdout);
    const ok = await tributary(["validate", join(dir, "ir.json")]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("fraud-alerts");
  });

  it("rejects a broken IR naming the path of the problem", async () => {
    const json = await tributary(["explain", "word-count/pipeline.ts"]);
    const ir = JSON.parse(json.stdout);
    delete ir.nodes[1].params.watermark;
    const dir = tempDir();
    writeFileSync(join(dir, "ir.json"), JSON.stringify(ir));
    const res = await tributary(["validate", join(dir, "ir.json")]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/nodes\[1\]\.params\.watermark/);
    expect(readFileSync(join(dir, "ir.json"), "utf8")).not.toContain('"watermark"');
  });
});
