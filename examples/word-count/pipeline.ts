/**
 * Word count: how often each word occurs, per minute of event time.
 *
 * Run it: `tributary run examples/word-count/pipeline.ts` (reads data/lines.jsonl, which holds one
 * malformed line on purpose: it goes to the dead-letter output with its line number).
 */
import { count, pipeline, tumbling } from "@tributary/sdk";
import { z } from "zod";

export const Line = z.object({ line: z.string(), ts: z.number().int() });

/** Lower-case words of a line: letters, digits and apostrophes. */
export function wordsOf(line: string): string[] {
  return line.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

export default pipeline("word-count", (p) => {
  p.source("lines", { schema: Line })
    .withTimestamps((l) => l.ts, { maxOutOfOrderness: "10s" })
    .flatMap((l) => wordsOf(l.line).map((word) => ({ word, ts: l.ts })))
    .keyBy((w) => w.word)
    .window(tumbling("1m"))
    .aggregate(count())
    .sink("counts");
  p.deadLetters().sink("rejected");
});
