/**
 * Validation of IR documents: the zod schema plus the structural rules the schema cannot say
 * (unique ids, inputs defined earlier, input kinds and counts, unique function ids).
 */
import type { z } from "zod";
import { type IrIssue, IrValidationError } from "../errors.ts";
import { collectFnRefs } from "./fn-refs.ts";
import { formatPath, valueAt } from "./paths.ts";
import { type IrNode, PipelineIr } from "./schema.ts";

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    int: "an integer",
    number: "a number",
    string: "a string",
    object: "an object",
    array: "an array",
    record: "an object",
    boolean: "a boolean",
    null: "null",
  };
  return names[expected] ?? expected;
}

/** Turns one zod issue into an IR issue with the problem and its fix. */
function fromZodIssue(issue: z.core.$ZodIssue, input: unknown): IrIssue {
  const path = formatPath(issue.path);
  const value = valueAt(input, issue.path);
  const key = issue.path.at(-1);
  const keyName = key === undefined ? "the document" : `"${String(key)}"`;
  switch (issue.code) {
    case "invalid_type": {
      const expected = typeName(issue.expected);
      if (value === undefined) {
        return { path, message: `required field is missing — add ${keyName} (${expected})` };
      }
      return { path, message: `expected ${expected}, got ${describeValue(value)} — use ${expected}` };
    }
    case "invalid_union": {
      const withDiscriminator = issue as { discriminator?: string; options?: unknown[] };
      if (withDiscriminator.discriminator !== undefined) {
        const options = (withDiscriminator.options ?? []).map((o) => JSON.stringify(o)).join(", ");
        const what = withDiscriminator.discriminator;
        return value === undefined
          ? { path, message: `required field "${what}" is missing — add it, one of ${options}` }
          : { path, message: `unknown ${what} ${JSON.stringify(value)} — use one of ${options}` };
      }
      return { path, message: `${issue.message} — match one of the allowed shapes in ir.schema.json` };
    }
    case "invalid_value": {
      const options = issue.values.map((v) => JSON.stringify(v)).join(", ");
      if (value === undefined)
        return { path, message: `required field is missing — add ${keyName}: ${options}` };
      return {
        path,
        message: `got ${describeValue(value)} — use ${issue.values.length === 1 ? "" : "one of "}${options}`,
      };
    }
    case "too_small": {
      const bound = `${issue.inclusive ? "at least" : "more than"} ${String(issue.minimum)}`;
      const what =
        issue.origin === "array"
          ? `needs ${bound} item(s)`
          : issue.origin === "string"
            ? `must have ${bound} character(s)`
            : `must be ${bound}`;
      return { path, message: `${what}, got ${describeValue(value)} — use a larger value` };
    }
    case "too_big": {
      const bound = `${issue.inclusive ? "at most" : "less than"} ${String(issue.maximum)}`;
      return { path, message: `must be ${bound}, got ${describeValue(value)} — use a smaller value` };
    }
    case "invalid_format":
      return { path, message: `${JSON.stringify(value)} is not allowed — ${issue.message}` };
    default:
      return { path, message: `${issue.message} — see sdk/ir.schema.json for the expected shape` };
  }
}

const arity = (node: IrNode): "none" | "one" | "many" =>
  node.kind === "source" || node.kind === "deadLetters" ? "none" : node.kind === "union" ? "many" : "one";

/** Structural rules of a schema-valid IR. Returns every violation found. */
export function structuralIssues(ir: PipelineIr): IrIssue[] {
  const issues: IrIssue[] = [];
  const firstIndex = new Map<string, number>();
  ir.nodes.forEach((node, i) => {
    const seen = firstIndex.get(node.id);
    if (seen === undefined) firstIndex.set(node.id, i);
    else {
      issues.push({
        path: `nodes[${i}].id`,
        message: `duplicate id "${node.id}" (also nodes[${seen}]) — give every node a unique id`,
      });
    }
  });
  ir.nodes.forEach((node, i) => {
    const n = node.inputs.length;
    const expected = arity(node);
    if (expected === "none" && n !== 0) {
      issues.push({
        path: `nodes[${i}].inputs`,
        message: `a ${node.kind} node has no inputs, got ${n} — make inputs []`,
      });
    } else if (expected === "one" && n !== 1) {
      issues.push({
        path: `nodes[${i}].inputs`,
        message: `a ${node.kind} node has exactly 1 input, got ${n} — list one input node id (use a union node to merge streams)`,
      });
    } else if (expected === "many" && n < 2) {
      issues.push({
        path: `nodes[${i}].inputs`,
        message: `a union node needs at least 2 inputs, got ${n} — list the streams to merge, or remove the union`,
      });
    }
    node.inputs.forEach((input, k) => {
      const path = `nodes[${i}].inputs[${k}]`;
      const at = firstIndex.get(input);
      if (at === undefined) {
        issues.push({ path, message: `no node has id "${input}" — use the id of an earlier node` });
        return;
      }
      if (at >= i) {
        issues.push({
          path,
          message: `"${input}" is nodes[${at}], not an earlier node — list nodes in topological order (inputs first)`,
        });
        return;
      }
      const inputKind = ir.nodes[at]!.kind;
      if (node.kind === "timestamps" && inputKind !== "source") {
        issues.push({
          path,
          message: `a timestamps node reads a source, but "${input}" is a ${inputKind} node — point it at a source node`,
        });
      }
      if (node.kind === "lateData" && inputKind !== "windowAggregate") {
        issues.push({
          path,
          message: `a lateData node reads a windowAggregate, but "${input}" is a ${inputKind} node — point it at a windowAggregate node`,
        });
      }
    });
  });
  const fnPaths = new Map<string, string>();
  for (const { path, ref } of collectFnRefs(ir)) {
    const where = formatPath(path);
    const other = fnPaths.get(ref.id);
    if (other === undefined) fnPaths.set(ref.id, where);
    else {
      issues.push({
        path: `${where}.id`,
        message: `function id "${ref.id}" is also used at ${other} — give every function reference a unique id`,
      });
    }
  }
  return issues;
}

/** Formats issues one per line: `<path>: <problem> — <fix>`. */
export function formatIrIssues(issues: readonly IrIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join("\n");
}

/**
 * Parses and checks an IR document (e.g. read from JSON).
 *
 * @throws IrValidationError listing every problem as `<path>: <problem> — <fix>`.
 * @example
 * ```ts
 * const ir = validateIr(JSON.parse(await readFile("pipeline.ir.json", "utf8")));
 * ```
 */
export function validateIr(json: unknown): PipelineIr {
  const parsed = PipelineIr.safeParse(json);
  if (!parsed.success) {
    throw new IrValidationError(parsed.error.issues.map((issue) => fromZodIssue(issue, json)));
  }
  const issues = structuralIssues(parsed.data);
  if (issues.length > 0) throw new IrValidationError(issues);
  return parsed.data;
}
