import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  collectFnRefs,
  count,
  global,
  type IrNode,
  PipelineDefinitionError,
  pipeline,
  session,
  sliding,
  sum,
  tumbling,
  validateIr,
} from "../src/index.ts";
import { everything, fraudAlerts } from "./fixtures/pipelines.ts";

const THIS_FILE = fileURLToPath(import.meta.url);

function definitionError(f: () => unknown): PipelineDefinitionError {
  try {
    f();
  } catch (error) {
    if (error instanceof PipelineDefinitionError) return error;
    throw error;
  }
  throw new Error("expected a PipelineDefinitionError");
}

/** 1-based line of the first line of this file containing `marker`. */
function lineOf(marker: string): number {
  const lines = readFileSync(THIS_FILE, "utf8").split("\n");
  const index = lines.findIndex((l) => l.includes(marker) && !l.includes("lineOf("));
  expect(index).toBeGreaterThanOrEqual(0);
  return index + 1;
}

const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("building a pipeline", () => {
  it("gives the fraud pipeline a valid IR whose JSON round-trips through validateIr unchanged", () => {
    const { ir } = fraudAlerts.build();
    const json = jsonCopy(ir);
    expect(validateIr(json)).toEqual(json);
    expect(ir.nodes.map((n) => `${n.id}<-${n.inputs.join(",")}`)).toEqual([
      "source:transactions<-",
      "timestamps-2<-source:transactions",
      "keyBy-3<-timestamps-2",
      "windowAggregate-4<-keyBy-3",
      "filter-5<-windowAggregate-4",
      "sink:alerts<-filter-5",
      "deadLetters-7<-",
      "sink:dlq<-deadLetters-7",
    ]);
    const window = ir.nodes[3] as Extract<IrNode, { kind: "windowAggregate" }>;
    expect(window.params.window).toEqual({ kind: "tumbling", sizeMs: 300_000, offsetMs: 0 });
    expect(window.params.aggregate).toMatchObject({
      shape: "fields",
      fields: {
        spend: { kind: "sum", input: { id: "windowAggregate-4.agg.spend.input" } },
        n: { kind: "count" },
      },
    });
    const timestamps = ir.nodes[1] as Extract<IrNode, { kind: "timestamps" }>;
    expect(timestamps.params.watermark).toEqual({ kind: "boundedOutOfOrderness", maxOutOfOrdernessMs: 5000 });
  });

  it("round-trips a pipeline using every node kind, with options applied", () => {
    const { ir } = everything.build({ module: "/abs/pipeline.ts" });
    const json = jsonCopy(ir);
    expect(validateIr(json)).toEqual(json);
    expect(ir.module).toBe("/abs/pipeline.ts");
    expect(ir.options).toEqual({ maxParallelism: 64, onError: "dead-letter" });
    const kinds = new Set(ir.nodes.map((n) => n.kind));
    expect([...kinds].sort()).toEqual(
      [
        "deadLetters",
        "filter",
        "flatMap",
        "keyBy",
        "lateData",
        "map",
        "sink",
        "source",
        "timestamps",
        "union",
        "windowAggregate",
      ].sort(),
    );
    for (const node of ir.nodes) {
      if ("onError" in node.params) expect(node.params.onError).toBe("dead-letter");
    }
    expect(ir.nodes.find((n) => n.id === "views-as-clicks")?.kind).toBe("map");
  });

  it("gives identical IR on every build, and ids from creation order", () => {
    for (const def of [fraudAlerts, everything]) {
      const a = def.build();
      const b = def.build();
      expect(jsonCopy(b.ir)).toEqual(jsonCopy(a.ir));
      expect([...b.fns.keys()]).toEqual([...a.fns.keys()]);
      a.ir.nodes.forEach((node, i) => {
        if (/^[a-zA-Z]+-\d+$/.test(node.id)) expect(node.id).toBe(`${node.kind}-${i + 1}`);
      });
    }
  });

  it("registers a function for every FnRef, and nothing else", () => {
    for (const def of [fraudAlerts, everything]) {
      const { ir, fns } = def.build();
      const ids = collectFnRefs(ir).map(({ ref }) => ref.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...fns.keys()].sort()).toEqual([...ids].sort());
      for (const { ref } of collectFnRefs(ir)) {
        expect(typeof fns.get(ref.id)).toBe("function");
        expect(ref.source).toBe(fns.get(ref.id)!.toString());
      }
    }
  });

  it("registers the user's functions themselves, and a working validator", () => {
    const { fns } = fraudAlerts.build();
    const key = fns.get("keyBy-3.key") as (t: unknown) => unknown;
    expect(key({ customerId: "c7", amount: 1, ts: 0 })).toBe("c7");
    const validate = fns.get("source:transactions.validator") as (raw: unknown) => unknown;
    expect(validate({ customerId: "c", amount: 5, ts: 1 })).toEqual({
      success: true,
      data: { customerId: "c", amount: 5, ts: 1 },
    });
    const bad = validate({ customerId: 1, amount: 5 }) as { success: boolean; error: string };
    expect(bad.success).toBe(false);
    expect(bad.error).toMatch(/customerId: .*string/);
    expect(bad.error).toMatch(/ts: /);
    expect(bad.error).not.toContain("\n");
  });

  it("records call sites in the user's file and line", () => {
    const def = pipeline("sites", (p) => {
      p.source("s", { schema: z.number() }) // @site-source
        .withTimestamps((x) => x) // @site-timestamps
        .map((x) => x + 1) // @site-map
        .keyBy((x) => x % 2) // @site-key
        .window(tumbling(10))
        .aggregate({ total: sum((x) => x) }) // @site-sum
        .sink("out");
    });
    const { ir } = def.build();
    const expected: Record<string, string> = {
      "source:s.validator": "@site-source",
      "timestamps-2.timestamp": "@site-timestamps",
      "map-3.fn": "@site-map",
      "keyBy-4.key": "@site-key",
      "windowAggregate-5.agg.total.input": "@site-sum",
    };
    const refs = collectFnRefs(ir);
    expect(refs.map((r) => r.ref.id).sort()).toEqual(Object.keys(expected).sort());
    for (const { ref } of refs) {
      expect(ref.callSite?.file).toBe(THIS_FILE);
      expect(ref.callSite?.line).toBe(lineOf(expected[ref.id]!));
      expect(ref.callSite?.column).toBeGreaterThan(0);
    }
  });

  it("accepts any positive window and lateness, keeping them in milliseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.nat({ max: 2 ** 40 }), (size, lateness) => {
        const { ir } = pipeline("w", (p) => {
          p.source("s")
            .withTimestamps((x) => x as number)
            .window(tumbling(size))
            .allowedLateness(lateness)
            .aggregate(count())
            .sink("o");
        }).build();
        const node = ir.nodes[2] as Extract<IrNode, { kind: "windowAggregate" }>;
        expect(node.params.window).toEqual({ kind: "tumbling", sizeMs: size, offsetMs: 0 });
        expect(node.params.allowedLatenessMs).toBe(lateness);
        expect(node.params.aggregate).toEqual({ shape: "single", aggregation: { kind: "count" } });
      }),
      { numRuns: 100 },
    );
  });
});

describe("pipeline definition errors", () => {
  const build = (define: Parameters<typeof pipeline>[1]) => () => pipeline("bad", define).build();

  it("rejects withTimestamps on a stream that is not a source", () => {
    const error = definitionError(
      build((p) => {
        p.source("s")
          .map((x) => x)
          .withTimestamps(() => 0)
          .sink("o");
      }),
    );
    expect(error.message).toContain('node "map-2" is not a source');
    expect(error.message).toContain('p.source("name").withTimestamps(');
  });

  it("rejects time windows on streams without timestamps, naming the window, the source and the fix", () => {
    for (const [window, kind] of [
      [tumbling("1m"), "tumbling"],
      [sliding("1m", "10s"), "sliding"],
      [session("5m"), "session"],
    ] as const) {
      const error = definitionError(
        build((p) => {
          p.source("raw")
            .keyBy((x) => x)
            .window(window)
            .aggregate(count())
            .sink("o");
        }),
      );
      expect(error.message).toContain(`${kind} window`);
      expect(error.message).toContain('source "raw"');
      expect(error.message).toContain(".withTimestamps(");
    }
  });

  it("finds untimed sources through a union", () => {
    const error = definitionError(
      build((p) => {
        const a = p.source("a").withTimestamps(() => 0);
        a.union(p.source("b")).window(tumbling(5)).aggregate(count()).sink("o");
      }),
    );
    expect(error.message).toContain('source "b"');
    expect(error.message).not.toContain('source "a"');
  });

  it("allows a global window without timestamps", () => {
    expect(() =>
      build((p) => {
        p.source("s").window(global()).aggregate(count()).sink("o");
      })(),
    ).not.toThrow();
  });

  it("rejects a sink name used twice, duplicate and malformed ids", () => {
    expect(
      definitionError(
        build((p) => {
          const s = p.source("s");
          s.sink("o");
          s.sink("o");
        }),
      ).message,
    ).toContain('"sink:o" is already used');
    expect(
      definitionError(
        build((p) => {
          const s = p.source("s");
          s.map((x) => x, { id: "same" }).sink("a");
          s.filter(() => true, { id: "same" }).sink("b");
        }),
      ).message,
    ).toContain('"same" is already used');
    expect(
      definitionError(
        build((p) => {
          p.source("s")
            .map((x) => x, { id: "has space" })
            .sink("a");
        }),
      ).message,
    ).toContain("letters, digits");
    expect(
      definitionError(
        build((p) => {
          p.source("s").sink("a");
          p.source("s").sink("b");
        }),
      ).message,
    ).toContain('source "s" is defined twice');
  });

  it("rejects pipelines without sinks, async define functions and bad options", () => {
    expect(definitionError(build((p) => void p.source("s"))).message).toContain("has no sink");
    const asyncDefine = (async (p: { source: (n: string) => { sink: (n: string) => void } }) => {
      p.source("s").sink("o");
    }) as unknown as Parameters<typeof pipeline>[1];
    expect(definitionError(() => pipeline("a", asyncDefine).build()).message).toContain("synchronously");
    expect(definitionError(() => pipeline("a", () => {}, { maxParallelism: 0 })).field).toBe(
      "maxParallelism",
    );
  });

  it("rejects bad aggregate specs and empty early firings", () => {
    expect(
      definitionError(
        build((p) => {
          p.source("s")
            .window(global())
            .aggregate({} as never)
            .sink("o");
        }),
      ).message,
    ).toContain("aggregate: expected an aggregation");
    expect(
      definitionError(
        build((p) => {
          p.source("s")
            .window(global())
            .aggregate({ n: count(), x: 5 } as never)
            .sink("o");
        }),
      ).message,
    ).toContain('aggregate field "x"');
    expect(
      definitionError(
        build((p) => {
          p.source("s").window(global()).earlyFirings({}).aggregate(count()).sink("o");
        }),
      ).field,
    ).toBe("earlyFirings");
  });

  it("rejects streams used after their build finished", () => {
    let leaked: { sink(name: string): void } | undefined;
    const def = pipeline("leaky", (p) => {
      const s = p.source("s");
      s.sink("o");
      leaked = s;
    });
    def.build();
    expect(definitionError(() => leaked!.sink("late")).message).toContain("has finished");
  });
});
