import { spawn } from "node:child_process";
import { resolve } from "node:path";

/**
 * Runs a job fixture as a child process. With `killAfterBatches`, kills it with SIGKILL a random
 * 0–50 ms after it reported that many completed batches (`batch N` lines on stdout), so every kill
 * lands mid-run after progress, however loaded the machine is; without, lets it finish. The last
 * stdout line of a finished job is its JSON summary.
 */
export function runJob(
  job: string,
  args: string[],
  killAfterBatches: number | null,
): Promise<{ killed: boolean; summary: unknown }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", job, ...args], {
      cwd: resolve(import.meta.dirname, ".."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (d) => {
      stdout += d;
      const seen = stdout.split("\n").filter((l) => l.startsWith("batch ")).length;
      if (killAfterBatches !== null && seen >= killAfterBatches && timer === undefined) {
        timer = setTimeout(() => child.kill("SIGKILL"), Math.floor(Math.random() * 50));
      }
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") done({ killed: true, summary: null });
      else if (code === 0) done({ killed: false, summary: JSON.parse(stdout.trim().split("\n").at(-1)!) });
      else fail(new Error(`job exited with ${code}: ${stderr}`));
    });
  });
}

/** Three runs killed at random points after some batches, then one that finishes. */
export async function killThenFinish(job: string, args: string[]) {
  let kills = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    const run = await runJob(job, args, 1 + Math.floor(Math.random() * 8));
    if (run.killed) kills++;
  }
  const last = await runJob(job, args, null);
  return { kills, last };
}
