import { readFileSync } from "node:fs";
import { validateIr } from "@tributary/sdk";
import { UsageError } from "../errors.ts";

/** `tributary validate IR.json`: check an IR document; every problem is printed with its path and fix. */
export async function validateCommand(file: string): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(
      `${file}: ${e instanceof Error ? e.message : e}; pass a JSON file written by \`tributary explain --format json\``,
    );
  }
  const ir = validateIr(json);
  process.stdout.write(
    `${file}: valid IR v${ir.irVersion} for pipeline "${ir.name}" (${ir.nodes.length} nodes)\n`,
  );
}
