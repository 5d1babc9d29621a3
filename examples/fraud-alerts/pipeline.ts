/**
 * Fraud alerts: customers whose spend in a 5-minute window exceeds 10,000.
 *
 * Run it: `tributary run examples/fraud-alerts/pipeline.ts` (bindings in tributary.config.json:
 * generated transactions, alerts to the console).
 */
import { count, pipeline, sum, tumbling } from "@tributary/sdk";
import { z } from "zod";

export const Transaction = z.object({
  txId: z.string(),
  customerId: z.string(),
  amount: z.number(),
  ts: z.number().int(),
});
export type Transaction = z.infer<typeof Transaction>;

/** Spend over this amount in one window raises an alert. */
export const ALERT_THRESHOLD = 10_000;

export default pipeline("fraud-alerts", (p) => {
  const txns = p
    .source("transactions", { schema: Transaction })
    .withTimestamps((t) => t.ts, { maxOutOfOrderness: "5s" });
  txns
    .keyBy((t) => t.customerId)
    .window(tumbling("5m"))
    .aggregate({ spend: sum((t) => t.amount), n: count() })
    .filter((w) => w.value.spend > ALERT_THRESHOLD)
    .sink("alerts");
  p.deadLetters().sink("rejected");
});
