/** What the figures were measured on. */
import { cpus, loadavg, platform, release, totalmem } from "node:os";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly totalMemMb: number;
  /** 1, 5 and 15-minute load averages when the run started. */
  readonly loadAvgStart: readonly number[];
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    node: process.version,
    platform: `${platform()} ${release()} ${process.arch}`,
    totalMemMb: Math.round(totalmem() / 2 ** 20),
    loadAvgStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
