/**
 * Clickstream sessions: per user, sessions of activity separated by 30 minutes of silence.
 *
 * Run it: `tributary run examples/clickstream-sessions/pipeline.ts` (generated clicks, sessions to
 * the console).
 */
import { count, countDistinct, first, last, pipeline, session } from "@tributary/sdk";
import { z } from "zod";

export const Click = z.object({ userId: z.string(), page: z.string(), ts: z.number().int() });

export default pipeline("clickstream-sessions", (p) => {
  p.source("clicks", { schema: Click })
    .withTimestamps((c) => c.ts, { maxOutOfOrderness: "1m" })
    .keyBy((c) => c.userId)
    .window(session("30m"))
    .aggregate({
      clicks: count(),
      pages: countDistinct((c) => c.page),
      landing: first((c) => c.page),
      exit: last((c) => c.page),
    })
    .sink("sessions");
});
