import { z } from "zod";
import { IR_VERSION, PipelineIr } from "./schema.ts";

/**
 * The JSON Schema (draft 2020-12) of the IR, generated from the zod {@link PipelineIr} schema.
 * The checked-in `sdk/ir.schema.json` is this value (`pnpm ir:schema` rewrites it).
 */
export function irJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(PipelineIr, { io: "input" }),
    title: `Tributary pipeline IR, version ${IR_VERSION}`,
  };
}
