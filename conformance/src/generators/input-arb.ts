/**
 * fast-check arbitraries for partitioned inputs. Lines are generated as structured
 * {@link LineSpec}s (shrink-friendly) and rendered to JSON Lines.
 */
import fc from "fast-check";
import type { PartitionedInput } from "../runner.ts";
import type { PipelineSpec } from "./pipeline-spec.ts";

/** One input line before rendering. `dt` is relative to the partition's timeline. */
export type LineSpec =
  | { kind: "record"; k: number; v: number; dt: number }
  | { kind: "no-v"; k: number; dt: number }
  | { kind: "bad-ts"; k: number; v: number; t: string | number | null }
  | { kind: "malformed"; text: string };

/**
 * A partition: `ordered` timelines advance by `dt` per line (bounded disorder when dt < 0);
 * otherwise `dt` is an offset from `start` (unbounded disorder).
 */
export interface PartitionSpec {
  start: number;
  ordered: boolean;
  lines: LineSpec[];
}

const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -30, max: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom(0.1, 0.2, 0.3, -2.5, 1e-7, 3.25, 1e15 + 0.5) },
);

const lineArb: fc.Arbitrary<LineSpec> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant("record" as const),
      k: fc.integer({ min: 0, max: 4 }),
      v: valueArb,
      dt: fc.integer({ min: -25, max: 30 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("no-v" as const),
      k: fc.integer({ min: 0, max: 4 }),
      dt: fc.integer({ min: -5, max: 10 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("bad-ts" as const),
      k: fc.integer({ min: 0, max: 4 }),
      v: valueArb,
      t: fc.constantFrom<string | number | null>("soon", 1.5, 1e300, null, 1e20),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("malformed" as const),
      text: fc.constantFrom("{", "not json", '{"k":1,', ""),
    }),
  },
);

/** A partition of 0–12 lines. */
export const partitionArb: fc.Arbitrary<PartitionSpec> = fc.record({
  start: fc.integer({ min: -150, max: 150 }),
  ordered: fc.boolean(),
  lines: fc.array(lineArb, { maxLength: 12 }),
});

/** Renders a partition to JSON Lines. */
export function renderPartition(p: PartitionSpec): string[] {
  let t = p.start;
  return p.lines.map((line) => {
    switch (line.kind) {
      case "malformed":
        return line.text;
      case "bad-ts":
        return `{"k":${line.k},"v":${JSON.stringify(line.v)},"t":${JSON.stringify(line.t)}}`;
      default: {
        if (p.ordered) t += line.dt;
        const ts = p.ordered ? t : p.start + line.dt * 5;
        return line.kind === "record"
          ? JSON.stringify({ k: line.k, v: line.v, t: ts })
          : JSON.stringify({ k: line.k, t: ts });
      }
    }
  });
}

/** Per source name, 1–8 partitions. */
export type InputSpec = Record<string, PartitionSpec[]>;

/** Inputs for the sources of `spec`. */
export function inputSpecArb(spec: PipelineSpec): fc.Arbitrary<InputSpec> {
  const perSource: Record<string, fc.Arbitrary<PartitionSpec[]>> = {};
  for (const s of spec.sources) perSource[s.name] = fc.array(partitionArb, { minLength: 1, maxLength: 8 });
  return fc.record(perSource);
}

/** Renders an input spec to JSON Lines per source and partition. */
export function renderInput(input: InputSpec): PartitionedInput {
  const out: PartitionedInput = {};
  for (const [name, partitions] of Object.entries(input)) out[name] = partitions.map(renderPartition);
  return out;
}
