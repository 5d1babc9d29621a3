/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, or `pnpm bench -- --profile DIR`): the
 * functions with the most self time, and self time per file.
 * Usage: `tsx bench/src/profile-summary.ts FILE.cpuprofile [top=25]`.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function summarise(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const file =
      f.url.replace(/^file:\/\/.*?\/(?=(runners|runtime|sdk|bench|node_modules)\/)/, "") || "(native)";
    const name = `${f.functionName || "(anonymous)"}  ${file}:${f.lineNumber + 1}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = [`total ${(total / 1e6).toFixed(2)} s sampled`, "", "self time by function:"];
  for (const [name, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`${pct(us)}  ${name}`);
  lines.push("", "self time by file:");
  for (const [file, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 15))
    lines.push(`${pct(us)}  ${file}`);
  return lines.join("\n");
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: tsx bench/src/profile-summary.ts FILE.cpuprofile [top]");
  process.exit(2);
}
console.log(summarise(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, Number(topArg ?? 25)));
