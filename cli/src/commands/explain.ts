import { toDot, toMermaid } from "@tributary/sdk";
import { UsageError } from "../errors.ts";
import { loadPipeline } from "../load-pipeline.ts";

const FORMATS = ["json", "mermaid", "dot"] as const;
type Format = (typeof FORMATS)[number];

/** `tributary explain FILE --format json|mermaid|dot`: print the pipeline's IR or its graph. */
export async function explainCommand(file: string, flags: { format?: string }): Promise<void> {
  const format = (flags.format ?? "json") as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format ${flags.format}: unknown format; use one of ${FORMATS.join(", ")}`);
  }
  const { ir } = await loadPipeline(file);
  const text =
    format === "json" ? JSON.stringify(ir, null, 2) : format === "mermaid" ? toMermaid(ir) : toDot(ir);
  process.stdout.write(`${text}\n`);
}
