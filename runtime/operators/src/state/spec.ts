/**
 * Choosing a state backend: the `--state` flag of the CLI and the factory behind it.
 */
import type { StateBackend } from "./backend.ts";
import { LevelStateBackend } from "./level-backend.ts";
import { MemoryStateBackend } from "./memory-backend.ts";

/** Which state backend a job uses. */
export type StateSpec =
  | { readonly kind: "memory" }
  | { readonly kind: "level"; readonly path: string; readonly cacheSize?: number };

/** Options of {@link createStateBackend} that do not belong to the spec. */
export interface CreateStateBackendOptions {
  /** Where the memory backend writes checkpoint files (LevelDB checkpoints into its own path). */
  readonly checkpointDir?: string;
}

/**
 * Parse the CLI form of a state spec: `memory` or `level:DIR`.
 *
 * @throws Error naming the `--state` flag and the accepted forms when `text` is neither.
 * @example
 * parseStateSpec("memory"); // { kind: "memory" }
 * parseStateSpec("level:./state"); // { kind: "level", path: "./state" }
 */
export function parseStateSpec(text: string): StateSpec {
  const trimmed = text.trim();
  if (trimmed === "memory") return { kind: "memory" };
  if (trimmed.startsWith("level:")) {
    const path = trimmed.slice("level:".length);
    if (path.trim() === "") {
      throw new Error(
        `--state ${JSON.stringify(text)}: the LevelDB backend needs a directory, e.g. --state level:./state.`,
      );
    }
    return { kind: "level", path };
  }
  throw new Error(
    `--state ${JSON.stringify(text)} is not a state backend. Use --state memory (the default: state in ` +
      "memory) or --state level:DIR (state in LevelDB under DIR, for state larger than memory).",
  );
}

/**
 * Create the state backend a spec names.
 *
 * @example
 * const backend = createStateBackend(parseStateSpec("level:./state"));
 */
export function createStateBackend(spec: StateSpec, options: CreateStateBackendOptions = {}): StateBackend {
  switch (spec.kind) {
    case "memory":
      return new MemoryStateBackend(
        options.checkpointDir === undefined ? {} : { checkpointDir: options.checkpointDir },
      );
    case "level":
      return new LevelStateBackend(
        spec.cacheSize === undefined ? { path: spec.path } : { path: spec.path, cacheSize: spec.cacheSize },
      );
  }
}
