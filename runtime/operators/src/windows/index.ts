export {
  floorMod,
  GLOBAL_WINDOW,
  latestSlidingStart,
  mergeSessions,
  sessionsTouch,
  sessionWindow,
  slidingWindows,
  tumblingStart,
  type WindowBounds,
} from "./assign.ts";
export {
  isDroppedFromFixedWindow,
  isDroppedFromSession,
  onTimeFiringTime,
  stateFreeingTime,
  type WindowKind,
} from "./lateness.ts";
export type { PaneInfo, PaneTiming, WindowResult } from "./pane.ts";
export type { KeyWindows, WindowSlot } from "./state.ts";
export { TimerIndex } from "./timers.ts";
export {
  type WindowAccounting,
  WindowAggregateOperator,
  type WindowAggregateOptions,
} from "./window-aggregate.ts";
