import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  count,
  formatIrIssues,
  formatPath,
  type IrIssue,
  IrValidationError,
  type PipelineIr,
  pipeline,
  tumbling,
  validateIr,
} from "../src/index.ts";
import { everything, fraudAlerts } from "./fixtures/pipelines.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const validJson = (): Json => JSON.parse(JSON.stringify(fraudAlerts.build().ir)) as Json;
const richJson = (): Json => JSON.parse(JSON.stringify(everything.build().ir)) as Json;

function issuesOf(json: unknown): IrIssue[] {
  try {
    validateIr(json);
  } catch (error) {
    if (error instanceof IrValidationError) return [...error.issues];
    throw error;
  }
  throw new Error("expected validateIr to throw");
}

/** Keys that may be absent, and objects whose keys are free-form (JSON Schemas). */
const OPTIONAL_KEYS = new Set(["everyElements", "everyProcessingTimeMs"]);
const FREE_FORM = new Set(["outputSchema", "recordSchema"]);

/** Paths of every required object key in the document. */
function requiredKeyPaths(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => requiredKeyPaths(v, [...path, i]));
  if (value === null || typeof value !== "object") return [];
  const out: (string | number)[][] = [];
  for (const [key, child] of Object.entries(value)) {
    if (FREE_FORM.has(key)) {
      out.push([...path, key]);
      continue;
    }
    const insideFields = path.at(-1) === "fields";
    if (!OPTIONAL_KEYS.has(key) && !insideFields) out.push([...path, key]);
    out.push(...requiredKeyPaths(child, [...path, key]));
  }
  return out;
}

function withoutKey(doc: Json, path: (string | number)[]): Json {
  const copy = structuredClone(doc);
  let parent: Json = copy;
  for (const part of path.slice(0, -1)) parent = (parent as Record<string, Json>)[part as string]!;
  delete (parent as Record<string, Json>)[path.at(-1) as string];
  return copy;
}

function mutate(doc: Json, path: (string | number)[], value: Json): Json {
  const copy = structuredClone(doc);
  let parent: Json = copy;
  for (const part of path.slice(0, -1)) parent = (parent as Record<string, Json>)[part as string]!;
  (parent as Record<string, Json>)[path.at(-1) as string] = value;
  return copy;
}

describe("validateIr", () => {
  it("reports a deleted required field at its path", () => {
    const docs = [validJson(), richJson()];
    const cases = docs.flatMap((doc) => requiredKeyPaths(doc).map((path) => ({ doc, path })));
    expect(cases.length).toBeGreaterThan(150);
    fc.assert(
      fc.property(fc.constantFrom(...cases), ({ doc, path }) => {
        const issues = issuesOf(withoutKey(doc, path));
        const expected = formatPath(path);
        const issue = issues.find((i) => i.path === expected);
        expect(issue, `issues: ${formatIrIssues(issues)}`).toBeDefined();
        expect(issue!.message).toContain("missing");
        expect(issue!.message).toContain(" — ");
      }),
      { numRuns: 300 },
    );
  });

  it("names the field and the fix for wrong values", () => {
    const doc = validJson();
    const cases: [(string | number)[], Json, RegExp][] = [
      [["nodes", 3, "params", "window", "sizeMs"], 0, /must be more than 0.* — use a larger value/],
      [["nodes", 3, "params", "window", "sizeMs"], 1.5, /expected an integer.* — use an integer/],
      [["nodes", 3, "params", "window", "kind"], "hopping", /unknown kind "hopping" — use one of "tumbling"/],
      [["nodes", 1, "params", "onError"], "ignore", /— use one of "fail", "dead-letter"/],
      [["nodes", 2, "id"], "bad id!", /not allowed — use letters, digits/],
      [["options", "maxParallelism"], 1e6, /must be at most 32768/],
      [["nodes"], [], /needs at least 1 item/],
    ];
    for (const [path, value, pattern] of cases) {
      const issues = issuesOf(mutate(doc, path, value));
      const issue = issues.find((i) => i.path === formatPath(path));
      expect(issue, formatIrIssues(issues)).toBeDefined();
      expect(issue!.message).toMatch(pattern);
    }
  });

  it("checks the structure: unique ids, earlier inputs, input kinds and counts, unique function ids", () => {
    const doc = validJson() as { nodes: { id: string; inputs: string[]; params: Record<string, Json> }[] };
    const cases: [(d: typeof doc) => void, string, RegExp][] = [
      [
        (d) => {
          d.nodes[2]!.id = "timestamps-2";
        },
        "nodes[2].id",
        /duplicate id "timestamps-2" \(also nodes\[1\]\)/,
      ],
      [
        (d) => {
          d.nodes[2]!.inputs = ["nope"];
        },
        "nodes[2].inputs[0]",
        /no node has id "nope"/,
      ],
      [
        (d) => {
          d.nodes[2]!.inputs = ["filter-5"];
        },
        "nodes[2].inputs[0]",
        /not an earlier node — list nodes in topological order/,
      ],
      [
        (d) => {
          d.nodes[1]!.inputs = [];
        },
        "nodes[1].inputs",
        /exactly 1 input, got 0/,
      ],
      [
        (d) => {
          d.nodes[0]!.inputs = ["deadLetters-7"];
        },
        "nodes[0].inputs",
        /no inputs, got 1/,
      ],
      [
        (d) => {
          d.nodes[2]!.inputs = ["source:transactions", "timestamps-2"];
        },
        "nodes[2].inputs",
        /exactly 1 input, got 2/,
      ],
      [
        (d) => {
          d.nodes.splice(2, 0, { ...structuredClone(d.nodes[1]!), id: "ts-again", inputs: ["timestamps-2"] });
          (d.nodes[2]!.params["timestamp"] as { id: string }).id = "ts-again.timestamp";
        },
        "nodes[2].inputs[0]",
        /a timestamps node reads a source, but "timestamps-2" is a timestamps node/,
      ],
      [
        (d) =>
          void d.nodes.push({
            ...structuredClone(d.nodes[6]!),
            id: "late",
            kind: "lateData",
            inputs: ["keyBy-3"],
          } as never),
        "nodes[8].inputs[0]",
        /lateData node reads a windowAggregate/,
      ],
      [
        (d) => {
          (d.nodes[4]!.params["fn"] as { id: string }).id = "keyBy-3.key";
        },
        "nodes[4].params.fn.id",
        /function id "keyBy-3.key" is also used at nodes\[2\].params.key/,
      ],
    ];
    for (const [change, path, pattern] of cases) {
      const broken = structuredClone(doc);
      change(broken);
      const issues = issuesOf(broken);
      const issue = issues.find((i) => i.path === path);
      expect(issue, formatIrIssues(issues)).toBeDefined();
      expect(issue!.message).toMatch(pattern);
    }
  });

  it("requires at least two union inputs", () => {
    const { ir } = pipeline("u", (p) => {
      const a = p.source("a");
      a.union(p.source("b")).sink("o");
    }).build();
    const doc = JSON.parse(JSON.stringify(ir)) as PipelineIr;
    doc.nodes[2]!.inputs = ["source:a"];
    expect(issuesOf(doc)).toEqual([
      {
        path: "nodes[2].inputs",
        message:
          "a union node needs at least 2 inputs, got 1 — list the streams to merge, or remove the union",
      },
    ]);
  });

  it("lists every issue in the error message, one per line with path, problem and fix", () => {
    const doc = mutate(mutate(validJson(), ["name"], ""), ["nodes", 3, "params", "allowedLatenessMs"], -1);
    try {
      validateIr(doc);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IrValidationError);
      const e = error as IrValidationError;
      expect(e.issues.map((i) => i.path)).toEqual(["name", "nodes[3].params.allowedLatenessMs"]);
      for (const issue of e.issues) expect(e.message).toContain(`${issue.path}: ${issue.message}`);
      expect(formatIrIssues(e.issues).split("\n")).toHaveLength(2);
    }
  });

  it("rejects non-objects at the root", () => {
    expect(issuesOf(42)[0]).toMatchObject({ path: "(root)" });
    expect(issuesOf(undefined)[0]!.message).toContain("missing");
  });

  it("accepts what the builder produces for varied windows", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), (size, offset) => {
        const { ir } = pipeline("v", (p) => {
          p.source("s")
            .withTimestamps(() => 0)
            .window(tumbling(size, { offset }))
            .aggregate(count())
            .sink("o");
        }).build();
        expect(validateIr(JSON.parse(JSON.stringify(ir)))).toEqual(ir);
      }),
      { numRuns: 50 },
    );
  });
});

describe("formatPath", () => {
  it("writes indices in brackets and quotes keys that are not identifiers", () => {
    expect(formatPath(["nodes", 3, "params", "window", "sizeMs"])).toBe("nodes[3].params.window.sizeMs");
    expect(formatPath(["fields", "total spend"])).toBe('fields["total spend"]');
    expect(formatPath([])).toBe("(root)");
  });
});
