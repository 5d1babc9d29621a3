/**
 * Writes sdk/ir.schema.json from the zod IR schema, formatted as biome formats JSON so `pnpm lint`
 * stays clean. Run with `pnpm ir:schema`.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { irJsonSchema } from "../src/ir/json-schema.ts";

const target = fileURLToPath(new URL("../ir.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(irJsonSchema(), null, 2)}\n`);
try {
  execFileSync("pnpm", ["exec", "biome", "format", "--write", target], { stdio: "ignore" });
} catch {
  console.warn(`could not format ${target} with biome; run \`pnpm biome format --write ${target}\``);
}
console.log(`wrote ${target}`);
