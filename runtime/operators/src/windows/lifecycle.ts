import { onTimeFiringTime, stateFreeingTime, type WindowKind } from "./lateness.ts";
import type { TimerIndex } from "./timers.ts";

/**
 * When a window of one window node fires and is freed, and the timers that say so (SEMANTICS.md
 * §3–§5). Shared by the window operator and the micro-batch window kernel.
 */
export class WindowLifecycle {
  constructor(
    readonly kind: WindowKind,
    readonly lateness: number,
    private readonly timers: TimerIndex,
  ) {}

  /** The operator watermark at which the on-time pane of a window ending at `end` fires. */
  fireTime(end: number): number {
    return onTimeFiringTime(this.kind, end);
  }

  /** The operator watermark at which the state of a window ending at `end` is freed. */
  freeTime(end: number): number {
    return stateFreeingTime(this.kind, end, this.lateness);
  }

  /**
   * Registers the timers of a new window of `key` given the current operator watermark. Returns
   * true when its on-time time has already passed (the window starts as fired: every element it
   * gets is late), false when a firing timer was registered.
   */
  schedule(end: number, key: string, watermark: number): boolean {
    const fire = this.fireTime(end);
    const free = this.freeTime(end);
    const fired = fire <= watermark;
    if (!fired) this.timers.add(fire, key);
    if (free !== fire) this.timers.add(free, key);
    return fired;
  }
}
