/**
 * The progress line of bounded and unbounded runs: records, records/s and the watermark, on a
 * terminal only (silent when stderr is piped or in CI).
 */

import type { Progress } from "@tributary/runner-embedded";
import cliProgress from "cli-progress";

export interface ProgressDisplay {
  update: (p: Progress) => void;
  stop: () => void;
}

export function startProgress(name: string, enabled: boolean): ProgressDisplay {
  if (!enabled || !process.stderr.isTTY || process.env.CI) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${name} | {value} records | {rate} rec/s | watermark {watermark} | {checkpoints} checkpoints`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(p) {
      const payload = {
        rate: Math.round(p.recordsIn / Math.max(p.elapsedMs / 1000, 1e-3)).toLocaleString("en-US"),
        watermark: formatWatermark(p.watermark),
        checkpoints: p.checkpoints,
      };
      if (!started) {
        started = true;
        bar.start(Number.MAX_SAFE_INTEGER, p.recordsIn, payload);
      } else bar.update(p.recordsIn, payload);
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}

export function formatWatermark(w: number): string {
  if (w === Number.NEGATIVE_INFINITY) return "-∞";
  if (w === Number.POSITIVE_INFINITY) return "+∞ (end)";
  // Plausible epoch milliseconds (2000–2100) read better as dates.
  return w > 946_684_800_000 && w < 4_102_444_800_000 ? new Date(w).toISOString() : String(w);
}
