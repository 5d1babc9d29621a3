/** JSON Schemas the builder attaches to nodes, and the validator built from a source's zod schema. */
import { z } from "zod";
import type { JsonSchema } from "../ir/schema.ts";

/** JSON Schema (draft 2020-12) of a zod schema; parts JSON Schema cannot express become `{}`. */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  return z.toJSONSchema(schema, { unrepresentable: "any", io }) as JsonSchema;
}

const windowBounds = {
  type: "object",
  properties: { start: { type: "integer" }, end: { type: "integer" } },
  required: ["start", "end"],
};

/** Schema of a `WindowResult` whose value matches `valueSchema`. */
export function windowResultSchema(valueSchema: JsonSchema): JsonSchema {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties: {
      key: {},
      window: windowBounds,
      value: valueSchema,
      pane: {
        type: "object",
        properties: {
          index: { type: "integer", minimum: 0 },
          timing: { type: "string", enum: ["early", "on_time", "late"] },
          replaces: { type: "array", items: windowBounds },
        },
        required: ["index", "timing"],
      },
    },
    required: ["key", "window", "value", "pane"],
  };
}

/** Schema of a `DeadLetterRecord`. */
export const deadLetterSchema: JsonSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: {
    id: { type: "array", items: { type: ["string", "number"] } },
    nodeId: { type: "string" },
    reason: {
      type: "string",
      enum: ["undecodable", "schema-violation", "bad-timestamp", "undefined-key", "user-function-threw"],
    },
    message: { type: "string" },
    payload: {},
  },
  required: ["id", "nodeId", "reason", "message", "payload"],
};

/** What a source validator returns (see `FnRef` in the IR schema). */
export type ValidationResult = { success: true; data: unknown } | { success: false; error: string };

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(record)" : out;
}

/** One line describing every zod issue with its path, e.g. `amount: expected number, received string`. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${pathText(issue.path)}: ${issue.message.replace(/^Invalid input: /, "")}`)
    .join("; ");
}

/** The validator function registered for a source with a zod schema. */
export function makeValidator(schema: z.ZodType): (raw: unknown) => ValidationResult {
  return (raw) => {
    const result = schema.safeParse(raw);
    return result.success
      ? { success: true, data: result.data }
      : { success: false, error: describeZodIssues(result.error.issues) };
  };
}
