import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { irJsonSchema } from "../src/index.ts";

describe("ir.schema.json", () => {
  it("equals a fresh export of the zod IR schema (run `pnpm ir:schema` when this fails)", () => {
    const path = fileURLToPath(new URL("../ir.schema.json", import.meta.url));
    const checkedIn: unknown = JSON.parse(readFileSync(path, "utf8"));
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(irJsonSchema())));
  });

  it("describes every node kind", () => {
    const text = JSON.stringify(irJsonSchema());
    for (const kind of ["source", "timestamps", "map", "filter", "flatMap", "keyBy", "union"]) {
      expect(text).toContain(`"const":"${kind}"`);
    }
    for (const kind of ["windowAggregate", "lateData", "deadLetters", "sink"]) {
      expect(text).toContain(`"const":"${kind}"`);
    }
  });
});
