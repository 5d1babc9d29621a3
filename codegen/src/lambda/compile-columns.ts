/**
 * Evaluation of {@link Expr} trees: compiled column loops over a batch of records, and a row
 * interpreter.
 *
 * The compiler generates JavaScript from the tree only (never from user text) and applies the
 * real JS operators, methods and global functions, so results match calling the original lambda
 * on each record — including NaN, -0, `null`/`undefined`, string concatenation, loose equality,
 * short-circuiting, and which records throw.
 *
 * Column convention ({@link ColumnBatch}): a field is read as `values` (a typed array such as
 * `Float64Array` for numeric data, or any array) plus an optional `nulls` mask with one code per
 * row ({@link NullCode}). Where `nulls[i] !== 0`, `values[i]` is ignored.
 */
import {
  type Expr,
  fieldPaths,
  GLOBAL_CONSTANTS,
  GLOBAL_FUNCTIONS,
  inferType,
  METHODS,
  type ValueType,
} from "./expr.ts";

/** Per-row codes of {@link InputColumn.nulls}. */
export const NullCode = {
  /** The value is `values[i]`. */
  present: 0,
  /** The field is `null`. */
  null: 1,
  /** The field is `undefined` (absent). */
  undefined: 2,
  /**
   * A value on the way to the field is `null`/`undefined` (e.g. `t.user` for path
   * `["user", "id"]`): reading the field throws a TypeError in JS, and so does the kernel.
   */
  unreachable: 3,
} as const;
export type NullCode = (typeof NullCode)[keyof typeof NullCode];

/** One field of a batch: values plus an optional null mask (absent = every value present). */
export interface InputColumn {
  readonly values: ArrayLike<unknown>;
  readonly nulls?: Uint8Array | null;
}

/**
 * A batch of records as columns, keyed by field path from the record root (`[]` = the record
 * itself, `["user", "id"]` = `record.user.id`). A runner implements it on top of its own storage
 * (e.g. Arrow vectors: `vector.toArray()` and the validity bitmap expanded to `nulls`).
 * Values must be pipeline values: JSON values plus `undefined`; numbers as JS numbers (convert
 * int64/bigint columns first).
 */
export interface ColumnBatch {
  readonly length: number;
  column(path: readonly string[]): InputColumn;
}

/** A computed column: `Float64Array` for numbers, `Uint8Array` (0/1) for booleans, else an array. */
export type OutputColumn =
  | { readonly type: "number"; readonly values: Float64Array }
  | { readonly type: "boolean"; readonly values: Uint8Array }
  | { readonly type: "string" | "unknown"; readonly values: unknown[] };

/** A record for which evaluation threw (the original lambda would throw too). */
export interface RowError {
  readonly row: number;
  readonly error: unknown;
}

/**
 * The result of a kernel. Rows in `errors` hold NaN / 0 / `undefined` in the column; a runner
 * that needs the exact error the user function throws can call the function on those rows.
 */
export interface ColumnResult {
  readonly column: OutputColumn;
  readonly errors: readonly RowError[];
}

export interface CompiledColumns {
  (batch: ColumnBatch): ColumnResult;
  /** The output representation (`boolean` for predicates). */
  readonly type: ValueType;
  /** The field paths the kernel reads from the batch. */
  readonly paths: readonly (readonly string[])[];
  /** The generated JavaScript, for debugging. */
  readonly code: string;
}

export interface CompileOptions {
  /** Output the truthiness of the value (for filters) as a boolean column. */
  readonly predicate?: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function unreachableError(path: readonly string[]): TypeError {
  return new TypeError(
    `Cannot read properties of null or undefined (reading '${path[path.length - 1] ?? ""}') ` +
      `on the way to field ${path.join(".")}`,
  );
}

/** Reads a masked value: the null code is not 0 here. */
function masked(code: number, path: readonly string[]): null | undefined {
  if (code === NullCode.null) return null;
  if (code === NullCode.undefined) return undefined;
  throw unreachableError(path);
}

/**
 * Compiles an expression of at most one parameter into a kernel that evaluates it for every
 * record of a batch in one generated loop.
 */
export function compileColumns(expr: Expr, options: CompileOptions = {}): CompiledColumns {
  const paths = fieldPaths(expr);
  if (paths.some((p) => p.param !== 0))
    throw new Error("compileColumns: only lambdas with one parameter can be evaluated over columns");
  const fns: ((...args: never[]) => unknown)[] = [];
  const fnIndex = new Map<string, number>();
  const pathIndex = new Map(paths.map((p, i) => [JSON.stringify(p.path), i]));

  const load = (path: readonly string[]): string => {
    const i = pathIndex.get(JSON.stringify(path));
    return `(m${i} === null || m${i}[i] === 0 ? v${i}[i] : $masked(m${i}[i], P[${i}]))`;
  };
  const gen = (e: Expr): string => {
    switch (e.kind) {
      case "literal":
        return typeof e.value === "string" ? JSON.stringify(e.value) : String(e.value);
      case "global":
        return e.name === "undefined" ? "(void 0)" : `(${String(GLOBAL_CONSTANTS[e.name])})`;
      case "param":
        return load([]);
      case "field":
        return load(e.path);
      case "get":
        return `(${gen(e.object)})[${JSON.stringify(e.key)}]`;
      case "unary":
        return e.op === "typeof" ? `(typeof ${gen(e.arg)})` : `(${e.op} ${gen(e.arg)})`;
      case "binary":
      case "logical":
        return `(${gen(e.left)} ${e.op} ${gen(e.right)})`;
      case "conditional":
        return `(${gen(e.test)} ? ${gen(e.ifTrue)} : ${gen(e.ifFalse)})`;
      case "call": {
        const spec = GLOBAL_FUNCTIONS[e.fn];
        if (spec === undefined || !Object.hasOwn(GLOBAL_FUNCTIONS, e.fn))
          throw new Error(`unknown function ${e.fn}`);
        let index = fnIndex.get(e.fn);
        if (index === undefined) {
          index = fns.push(spec.fn) - 1;
          fnIndex.set(e.fn, index);
        }
        return `F[${index}](${e.args.map(gen).join(", ")})`;
      }
      case "method":
        if (!IDENTIFIER.test(e.method) || !Object.hasOwn(METHODS, e.method))
          throw new Error(`compileColumns: unsupported method ${e.method}`);
        return `(${gen(e.object)}).${e.method}(${e.args.map(gen).join(", ")})`;
      case "template":
        return `(${e.quasis
          .map((q, i) =>
            i < e.exprs.length
              ? `${JSON.stringify(q)} + $str(${gen(e.exprs[i] as Expr)})`
              : JSON.stringify(q),
          )
          .join(" + ")})`;
      case "object":
        return `({ ${e.entries
          .map((entry) =>
            "spread" in entry
              ? `...${gen(entry.spread)}`
              : `[${JSON.stringify(entry.key)}]: ${gen(entry.value)}`,
          )
          .join(", ")} })`;
      case "array":
        return `[${e.elements.map(gen).join(", ")}]`;
    }
  };

  const body = gen(expr);
  const type: ValueType = options.predicate ? "boolean" : inferType(expr);
  const value = options.predicate ? `(${body} ? 1 : 0)` : type === "boolean" ? `(${body} ? 1 : 0)` : body;
  const allocate =
    type === "number" ? "new Float64Array(n)" : type === "boolean" ? "new Uint8Array(n)" : "new Array(n)";
  const onError = type === "number" ? "NaN" : type === "boolean" ? "0" : "undefined";
  const loads = paths
    .map(
      (_, i) =>
        `  const c${i} = batch.column(P[${i}]);\n  const v${i} = c${i}.values;\n  const m${i} = c${i}.nulls ?? null;\n`,
    )
    .join("");
  const code =
    `"use strict";\nreturn function kernel(batch) {\n  const n = batch.length;\n${loads}` +
    `  const out = ${allocate};\n  const errors = [];\n` +
    `  for (let i = 0; i < n; i++) {\n    try {\n      out[i] = ${value};\n    } catch (error) {\n` +
    `      out[i] = ${onError};\n      errors.push({ row: i, error });\n    }\n  }\n` +
    `  return { column: { type: ${JSON.stringify(type)}, values: out }, errors };\n};\n`;
  // The code is generated from the tree alone; user text never reaches it except as JSON strings.
  const factory = new Function("P", "F", "$masked", "$str", code) as (
    ...args: unknown[]
  ) => (batch: ColumnBatch) => ColumnResult;
  const kernel = factory(
    paths.map((p) => p.path),
    fns,
    masked,
    templateString,
  );
  return Object.assign((batch: ColumnBatch) => kernel(batch), {
    type,
    paths: paths.map((p) => p.path),
    code,
  });
}

/** `${x}` in a template literal: ToString without going through valueOf (unlike `+`). */
function templateString(value: unknown): string {
  return `${value as string}`;
}

type Indexable = { readonly [key: string]: unknown };

function getProperty(object: unknown, key: string): unknown {
  // A plain JS property read: throws a TypeError on null/undefined, boxes primitives.
  return (object as Indexable)[key];
}

/**
 * Evaluates an expression for one record (or one set of arguments for multi-parameter
 * lambdas) by interpreting the tree. Throws what the original lambda would throw.
 */
export function evaluateRow(expr: Expr, ...args: readonly unknown[]): unknown {
  const ev = (e: Expr): unknown => evaluateRow(e, ...args);
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "global":
      return GLOBAL_CONSTANTS[expr.name];
    case "param":
      return args[expr.index];
    case "field": {
      let value = args[expr.param];
      for (const key of expr.path) value = getProperty(value, key);
      return value;
    }
    case "get":
      return getProperty(ev(expr.object), expr.key);
    case "unary": {
      const v = ev(expr.arg) as number;
      switch (expr.op) {
        case "-":
          return -v;
        case "+":
          return +v;
        case "!":
          return !v;
        case "~":
          return ~v;
        case "typeof":
          return typeof v;
      }
      break;
    }
    case "binary": {
      // Type assertions only; the operators below are JavaScript's, applied to the real values.
      const l = ev(expr.left) as number;
      const r = ev(expr.right) as number;
      switch (expr.op) {
        case "+":
          return l + r;
        case "-":
          return l - r;
        case "*":
          return l * r;
        case "/":
          return l / r;
        case "%":
          return l % r;
        case "**":
          return l ** r;
        case "===":
          return l === r;
        case "!==":
          return l !== r;
        case "==":
          // biome-ignore lint/suspicious/noDoubleEquals: loose equality is the semantics of the node
          return l == r;
        case "!=":
          // biome-ignore lint/suspicious/noDoubleEquals: loose equality is the semantics of the node
          return l != r;
        case "<":
          return l < r;
        case "<=":
          return l <= r;
        case ">":
          return l > r;
        case ">=":
          return l >= r;
        case "&":
          return l & r;
        case "|":
          return l | r;
        case "^":
          return l ^ r;
        case "<<":
          return l << r;
        case ">>":
          return l >> r;
        case ">>>":
          return l >>> r;
      }
      break;
    }
    case "logical": {
      const l = ev(expr.left);
      switch (expr.op) {
        case "&&":
          return l && ev(expr.right);
        case "||":
          return l || ev(expr.right);
        case "??":
          return l ?? ev(expr.right);
      }
      break;
    }
    case "conditional":
      return ev(expr.test) ? ev(expr.ifTrue) : ev(expr.ifFalse);
    case "call": {
      const spec = Object.hasOwn(GLOBAL_FUNCTIONS, expr.fn) ? GLOBAL_FUNCTIONS[expr.fn] : undefined;
      if (spec === undefined) throw new Error(`unknown function ${expr.fn}`);
      return (spec.fn as (...a: unknown[]) => unknown)(...expr.args.map(ev));
    }
    case "method": {
      const receiver = ev(expr.object);
      const method = getProperty(receiver, expr.method);
      const argValues = expr.args.map(ev);
      if (typeof method !== "function")
        throw new TypeError(`${String(expr.method)} is not a function (receiver: ${typeof receiver})`);
      return (method as (...a: unknown[]) => unknown).apply(receiver, argValues);
    }
    case "template": {
      let text = expr.quasis[0] ?? "";
      expr.exprs.forEach((e, i) => {
        text += templateString(ev(e)) + (expr.quasis[i + 1] ?? "");
      });
      return text;
    }
    case "object": {
      const result: Record<string, unknown> = {};
      for (const entry of expr.entries) {
        if ("spread" in entry) copyDataProperties(result, ev(entry.spread));
        else defineData(result, entry.key, ev(entry.value));
      }
      return result;
    }
    case "array":
      return expr.elements.map(ev);
  }
  throw new Error(`evaluateRow: unknown expression ${JSON.stringify(expr)}`);
}

function defineData(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `{ ...source }` semantics: own enumerable properties, defined (not assigned). */
function copyDataProperties(target: object, source: unknown): void {
  if (source === null || source === undefined) return;
  const from = Object(source) as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(from)) {
    if (Object.getOwnPropertyDescriptor(from, key)?.enumerable) defineData(target, key, from[key]);
  }
}

/**
 * A {@link ColumnBatch} over records held as JS values, reading fields exactly as JS property
 * access does. Numeric fields come out as `Float64Array` with a null mask.
 */
export function rowBatch(rows: readonly unknown[]): ColumnBatch {
  return {
    length: rows.length,
    column(path) {
      const n = rows.length;
      const values: unknown[] = new Array(n);
      const nulls = new Uint8Array(n);
      let allNumbers = true;
      let anyMasked = false;
      for (let i = 0; i < n; i++) {
        let value: unknown = rows[i];
        let code: NullCode = NullCode.present;
        for (const key of path) {
          if (value === null || value === undefined) {
            code = NullCode.unreachable;
            break;
          }
          value = getProperty(value, key);
        }
        if (code === NullCode.present && value === null) code = NullCode.null;
        else if (code === NullCode.present && value === undefined) code = NullCode.undefined;
        if (code !== NullCode.present) {
          nulls[i] = code;
          anyMasked = true;
        } else {
          values[i] = value;
          if (typeof value !== "number") allNumbers = false;
        }
      }
      if (allNumbers) {
        const numbers = new Float64Array(n);
        for (let i = 0; i < n; i++) if (nulls[i] === 0) numbers[i] = values[i] as number;
        return { values: numbers, nulls: anyMasked ? nulls : null };
      }
      return { values, nulls: anyMasked ? nulls : null };
    },
  };
}
