export { type BenchOptions, parseArgs, WORKLOADS, type WorkloadName } from "./args.ts";
export {
  type BenchReport,
  formatReport,
  type LatencyReport,
  runBench,
  TARGETS,
  type WorkloadReport,
} from "./main.ts";
export type { WorkerResult, WorkerTask } from "./worker.ts";
