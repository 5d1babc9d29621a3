import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { BuiltPipeline } from "@tributary/sdk";
import { UsageError } from "./errors.ts";

interface BuildablePipeline {
  readonly name: string;
  build(options?: { module?: string }): BuiltPipeline;
}

function isBuildable(value: unknown): value is BuildablePipeline {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { build?: unknown }).build === "function" &&
    typeof (value as { name?: unknown }).name === "string"
  );
}

/**
 * Imports a pipeline file (TypeScript or JavaScript) and builds the pipeline it exports: the
 * default export, or else the only export that is a pipeline.
 */
export async function loadPipeline(file: string): Promise<BuiltPipeline> {
  const path = resolve(file);
  if (!existsSync(path))
    throw new UsageError(
      `pipeline file ${file} does not exist; pass the path of a .ts file that exports a pipeline`,
    );
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const candidates = isBuildable(mod.default) ? [mod.default] : Object.values(mod).filter(isBuildable);
  if (candidates.length !== 1) {
    throw new UsageError(
      candidates.length === 0
        ? `${file} does not export a pipeline; add \`export default pipeline("name", (p) => { ... })\``
        : `${file} exports ${candidates.length} pipelines; make the one to run the default export`,
    );
  }
  return candidates[0]!.build({ module: path });
}
