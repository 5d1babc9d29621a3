import { z } from "zod";
import { count, pipeline, sum, tumbling } from "../src/index.ts";

/** The fraud-alerts pipeline of the README, used by several tests. */
export const Transaction = z.object({ customerId: z.string(), amount: z.number(), ts: z.number().int() });

export const fraudAlerts = pipeline("fraud-alerts", (p) => {
  const txns = p
    .source("transactions", { schema: Transaction })
    .withTimestamps((t) => t.ts, { maxOutOfOrderness: "5s" });
  txns
    .keyBy((t) => t.customerId)
    .window(tumbling("5m"))
    .aggregate({ spend: sum((t) => t.amount), n: count() })
    .filter((w) => w.value.spend > 10_000)
    .sink("alerts");
  p.deadLetters().sink("dlq");
});
