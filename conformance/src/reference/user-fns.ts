import type { FnRef, FnRegistry } from "@tributary/sdk";

/** A registry function, callable with plain JSON arguments. */
export type CallableFn = (...args: unknown[]) => unknown;

/** Looks up `ref` in the registry; a missing function is a broken build, not a user error. */
export function lookupFn(fns: FnRegistry, ref: FnRef): CallableFn {
  const fn = fns.get(ref.id);
  if (fn === undefined) throw new Error(`function ${ref.id} is not in the registry`);
  return fn as unknown as CallableFn;
}
