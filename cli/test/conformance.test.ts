import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, "../bin/tributary.mjs");
const FIXTURES = resolve(import.meta.dirname, "fixtures");

/** Runs the real `tributary` binary; never throws, returns exit code and output. */
async function tributary(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, CI: "1" },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function writeJsonl(dir: string, name: string, records: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${records.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n")}\n`);
  return path;
}

describe("tributary conformance", () => {
  it("runs the suite on the chosen runners and prints the table (exit 0 when everything passes)", async () => {
    const res = await tributary(["conformance", "--runners", "embedded-b7", "--runs", "25", "--seed", "11"]);
    expect(res.stderr).toContain("seed 11");
    expect(res.code).toBe(0);
    for (const property of [
      "final view = reference",
      "pane invariants",
      "accounting",
      "crash/restore",
      "determinism",
    ])
      expect(res.stdout).toMatch(
        new RegExp(
          `embedded\\[random, batch 7\\]\\s+\\| ${property.replace("/", "\\/")}\\s+\\| passed \\| 11\\s+\\| 25`,
        ),
      );
    expect(res.stdout).toContain("all 5 checks passed");
  });

  it("rejects an unknown runner with exit code 2 and the list of runners", async () => {
    const res = await tributary(["conformance", "--runners", "flink", "--runs", "1"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown runner "flink"');
    expect(res.stderr).toContain("embedded");
  });

  it("checks a user's pipeline over their sample input and its perturbations (exit 0 when it conforms)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-conformance-"));
    const sample = writeJsonl(dir, "events.jsonl", [
      { k: "a", ts: 100 },
      { k: "b", ts: 1200 },
      "not json",
      { k: "a", ts: 300 },
      { k: "a", ts: 2500 },
    ]);
    const res = await tributary([
      "conformance",
      "--pipeline",
      join(FIXTURES, "events-pipeline.ts"),
      "--source",
      `events=file:${sample}`,
      "--runs",
      "20",
      "--seed",
      "5",
    ]);
    expect(res.stderr).toContain('conformance of pipeline "events": 5 input lines');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("final view = reference (your input, perturbed)");
    expect(res.stdout).not.toContain("FAILED");
  });

  it("catches a non-commutative combine: exit 1, the law it breaks with an example, and the diff", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tributary-conformance-"));
    writeJsonl(dir, "p0.jsonl", [
      { word: "a", ts: 1 },
      { word: "b", ts: 2 },
    ]);
    writeJsonl(dir, "p1.jsonl", [
      { word: "x", ts: 1 },
      { word: "y", ts: 2 },
    ]);
    const res = await tributary([
      "conformance",
      "--pipeline",
      join(FIXTURES, "concat-pipeline.ts"),
      "--source",
      `words=file:${dir}`,
      "--runs",
      "30",
      "--seed",
      "3",
    ]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("merge is commutative does NOT hold");
    expect(res.stdout).toMatch(
      /extract\(merge\(A, B\)\) = "(\w+)"\n\s+extract\(merge\(B, A\)\) = "(?!\1")\w+"/,
    );
    expect(res.stdout).toMatch(
      /\[sentences\] different key null window \[0, 10000\): expected "\w+", got "\w+"/,
    );
    expect(res.stdout).toMatch(/checks FAILED/);
  });

  it("names an unbound source", async () => {
    const res = await tributary(["conformance", "--pipeline", join(FIXTURES, "events-pipeline.ts")]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('source "events" is not bound; pass --source events=');
  });
});
