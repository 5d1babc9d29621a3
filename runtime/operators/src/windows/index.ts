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
export { WindowLifecycle } from "./lifecycle.ts";
export type { PaneInfo, PaneTiming, WindowResult } from "./pane.ts";
export {
  WINDOW_GLOBAL,
  WINDOW_SESSION,
  WINDOW_SLIDING,
  WINDOW_TUMBLING,
  type WindowShape,
  windowShape,
} from "./shape.ts";
export { type KeyWindows, newWindowSlot, type WindowSlot } from "./state.ts";
export { TimerIndex } from "./timers.ts";
export {
  type WindowAccounting,
  WindowAggregateOperator,
  type WindowAggregateOptions,
} from "./window-aggregate.ts";
