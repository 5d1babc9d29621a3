/** Helpers shared by the built-in aggregations: user input functions and their results. */

/** An aggregation's `input` function: called with the element's value (`record.value`). */
export type InputFn = (value: unknown) => unknown;

/** A short, printable rendering of a value for error messages. */
export function describeValue(x: unknown): string {
  if (x === undefined) return "undefined";
  if (typeof x === "bigint") return `${x}n (a bigint)`;
  if (typeof x === "function" || typeof x === "symbol") return `a ${typeof x}`;
  let text: string;
  try {
    text = JSON.stringify(x) ?? String(x);
  } catch {
    text = String(x);
  }
  if (typeof x === "number" && !Number.isFinite(x)) text = String(x);
  if (text.length > 80) text = text.slice(0, 77) + "...";
  const kind =
    x === null
      ? "null"
      : Array.isArray(x)
        ? "an array"
        : typeof x === "object"
          ? "an object"
          : `a ${typeof x}`;
  return `${text} (${kind})`;
}

/**
 * `x` if it is a number, else a TypeError naming the value:
 * `sum needs numbers, but its input returned "12" (a string)...`.
 */
export function requireNumber(aggregation: string, x: unknown): number {
  if (typeof x === "number") return x;
  throw new TypeError(
    `${aggregation} needs numbers, but its input returned ${describeValue(x)}. ` +
      `Make the input function return a number, e.g. (v) => Number(v.amount).`,
  );
}
