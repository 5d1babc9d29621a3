export type { LevelStateBackendOptions } from "./level-backend.ts";
export { DEFAULT_STATE_CACHE_SIZE, LevelStateBackend } from "./level-backend.ts";
export type { MemoryStateBackendOptions } from "./memory-backend.ts";
export { MEMORY_CHECKPOINTS_KEPT, MemoryStateBackend } from "./memory-backend.ts";
export type { CreateStateBackendOptions, StateSpec } from "./spec.ts";
export { createStateBackend, parseStateSpec } from "./spec.ts";
