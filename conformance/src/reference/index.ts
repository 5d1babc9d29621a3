export { exactMean, exactSum, roundRationalToDouble } from "./exact-arithmetic.ts";
export type { ReferenceCompleted, ReferenceFailed, ReferenceResult } from "./reference-run.ts";
export { referenceRun } from "./reference-run.ts";
export { assignFixedWindows, flooredMod, mergeSessions } from "./windows.ts";
