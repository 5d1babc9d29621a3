import type { WindowSpec } from "@tributary/sdk";
import type { WindowKind } from "./lateness.ts";

/** Small-integer codes of the window kinds, for hot loops (compared faster than strings). */
export const WINDOW_TUMBLING = 0;
export const WINDOW_SLIDING = 1;
export const WINDOW_SESSION = 2;
export const WINDOW_GLOBAL = 3;

/** A window spec flattened into the numbers window implementations use (0 where not relevant). */
export interface WindowShape {
  readonly kind: WindowKind;
  readonly code: number;
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  readonly gap: number;
}

/**
 * @example
 * windowShape({ kind: "sliding", sizeMs: 10_000, slideMs: 2_000, offsetMs: 0 });
 * // { kind: "sliding", code: 1, size: 10000, slide: 2000, offset: 0, gap: 0 }
 */
export function windowShape(spec: WindowSpec): WindowShape {
  switch (spec.kind) {
    case "tumbling":
      return {
        kind: spec.kind,
        code: WINDOW_TUMBLING,
        size: spec.sizeMs,
        slide: 0,
        offset: spec.offsetMs,
        gap: 0,
      };
    case "sliding":
      return {
        kind: spec.kind,
        code: WINDOW_SLIDING,
        size: spec.sizeMs,
        slide: spec.slideMs,
        offset: spec.offsetMs,
        gap: 0,
      };
    case "session":
      return { kind: spec.kind, code: WINDOW_SESSION, size: 0, slide: 0, offset: 0, gap: spec.gapMs };
    case "global":
      return { kind: spec.kind, code: WINDOW_GLOBAL, size: 0, slide: 0, offset: 0, gap: 0 };
  }
}
