/**
 * Translates the source text of a user lambda (as `fn.toString()` gives it, or as written in a
 * TypeScript file) into an {@link Expr} tree, or explains why it cannot.
 *
 * Parsing uses the TypeScript compiler (via ts-morph); no user code is ever evaluated.
 */
import {
  type ArrowFunction,
  type BindingName,
  type Expression,
  type FunctionExpression,
  type MethodDeclaration,
  Node,
  Project,
  type SourceFile,
  type Statement,
  SyntaxKind,
  ts,
} from "ts-morph";
import {
  type BinaryOp,
  type Expr,
  GLOBAL_FUNCTIONS,
  type GlobalName,
  type LogicalOp,
  METHODS,
  type ObjectEntry,
  type UnaryOp,
} from "./expr.ts";

export type TranslateResult =
  | { readonly ok: true; readonly expr: Expr; readonly params: readonly string[] }
  | { readonly ok: false; readonly reason: string };

export interface TranslateOptions {
  /**
   * Values of free variables the lambda may reference (e.g. module-level `const`s). They are
   * inlined as literals, so they must not change afterwards. JSON values only.
   */
  readonly constants?: Readonly<Record<string, unknown>>;
  /** Why a free variable is not usable, by name (e.g. "a module-level `let` (mutable state)"). */
  readonly freeVariableReasons?: Readonly<Record<string, string>>;
}

/** Thrown inside the translator; becomes `{ ok: false, reason }`. */
class Untranslatable extends Error {}

function fail(reason: string): never {
  throw new Untranslatable(reason);
}

const MAX_NODES = 5000;
const MAX_SNIPPET = 40;

function snippet(node: Node): string {
  const text = node.getText().replace(/\s+/g, " ");
  return text.length <= MAX_SNIPPET ? text : `${text.slice(0, MAX_SNIPPET - 1)}…`;
}

let project: Project | undefined;

/** Parses text into an in-memory source file (syntax only; nothing is type-checked or run). */
export function parseSourceText(text: string, fileName = "lambda.ts"): SourceFile {
  project ??= new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, noLib: true },
  });
  return project.createSourceFile(fileName, text, { overwrite: true });
}

function parse(text: string): SourceFile {
  return parseSourceText(text);
}

function parseErrors(file: SourceFile): readonly ts.DiagnosticWithLocation[] {
  return (
    (file.compilerNode as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ??
    []
  );
}

type FunctionNode = ArrowFunction | FunctionExpression | MethodDeclaration;

/** The single function of the source: an arrow, a function expression, or a method (`add(a, b) {…}`). */
function parseFunction(source: string): FunctionNode {
  if (source.includes("[native code]")) fail("native or bound function (its source is not available)");
  let file = parse(`(${source}\n);`);
  if (parseErrors(file).length === 0) {
    const statements = file.getStatements();
    const first = statements[0];
    if (statements.length === 1 && first !== undefined && Node.isExpressionStatement(first)) {
      const expr = unwrap(first.getExpression());
      if (Node.isArrowFunction(expr) || Node.isFunctionExpression(expr)) return expr;
      if (Node.isClassExpression(expr)) fail("a class, not a function");
    }
    fail("the source is not a single function expression");
  }
  const firstError = parseErrors(file)[0];
  // Object-literal methods stringify as `name(a, b) { … }`.
  file = parse(`({ ${source}\n });`);
  if (parseErrors(file).length === 0) {
    const statement = file.getStatements()[0];
    const obj =
      statement !== undefined && Node.isExpressionStatement(statement)
        ? unwrap(statement.getExpression())
        : undefined;
    if (obj !== undefined && Node.isObjectLiteralExpression(obj)) {
      const members = obj.getProperties();
      const method = members[0];
      if (members.length === 1 && method !== undefined && Node.isMethodDeclaration(method)) return method;
      if (
        method !== undefined &&
        (Node.isGetAccessorDeclaration(method) || Node.isSetAccessorDeclaration(method))
      )
        fail("an accessor, not a function");
    }
  }
  const message =
    firstError === undefined ? "syntax error" : ts.flattenDiagnosticMessageText(firstError.messageText, " ");
  fail(`the source does not parse as a function: ${message}`);
}

function unwrap(node: Expression): Expression {
  let current = node;
  for (;;) {
    if (
      Node.isParenthesizedExpression(current) ||
      Node.isAsExpression(current) ||
      Node.isNonNullExpression(current) ||
      Node.isSatisfiesExpression(current) ||
      Node.isTypeAssertion(current)
    ) {
      current = current.getExpression();
    } else {
      return current;
    }
  }
}

/** Identifier-named namespaces of the global functions/constants (`Math`, `Number`). */
const NAMESPACES = new Set(["Math", "Number"]);
const BARE_GLOBAL_FUNCTIONS = new Set(Object.keys(GLOBAL_FUNCTIONS).filter((name) => !name.includes(".")));
const GLOBAL_IDENTIFIERS: ReadonlySet<string> = new Set(["undefined", "NaN", "Infinity"]);
const NON_DETERMINISTIC = new Set(["Math.random", "Date.now", "performance.now", "crypto.randomUUID"]);
const MUTATING_METHODS = new Set([
  "push",
  "pop",
  "shift",
  "unshift",
  "splice",
  "sort",
  "reverse",
  "fill",
  "copyWithin",
  "set",
  "delete",
  "add",
  "clear",
]);
const CALLBACK_METHODS = new Set([
  "map",
  "filter",
  "reduce",
  "reduceRight",
  "some",
  "every",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "forEach",
  "flatMap",
  "sort",
  "toSorted",
]);

const BINARY_TOKENS: ReadonlyMap<SyntaxKind, BinaryOp> = new Map<SyntaxKind, BinaryOp>([
  [SyntaxKind.PlusToken, "+"],
  [SyntaxKind.MinusToken, "-"],
  [SyntaxKind.AsteriskToken, "*"],
  [SyntaxKind.SlashToken, "/"],
  [SyntaxKind.PercentToken, "%"],
  [SyntaxKind.AsteriskAsteriskToken, "**"],
  [SyntaxKind.EqualsEqualsEqualsToken, "==="],
  [SyntaxKind.ExclamationEqualsEqualsToken, "!=="],
  [SyntaxKind.EqualsEqualsToken, "=="],
  [SyntaxKind.ExclamationEqualsToken, "!="],
  [SyntaxKind.LessThanToken, "<"],
  [SyntaxKind.LessThanEqualsToken, "<="],
  [SyntaxKind.GreaterThanToken, ">"],
  [SyntaxKind.GreaterThanEqualsToken, ">="],
  [SyntaxKind.AmpersandToken, "&"],
  [SyntaxKind.BarToken, "|"],
  [SyntaxKind.CaretToken, "^"],
  [SyntaxKind.LessThanLessThanToken, "<<"],
  [SyntaxKind.GreaterThanGreaterThanToken, ">>"],
  [SyntaxKind.GreaterThanGreaterThanGreaterThanToken, ">>>"],
]);
const LOGICAL_TOKENS: ReadonlyMap<SyntaxKind, LogicalOp> = new Map<SyntaxKind, LogicalOp>([
  [SyntaxKind.AmpersandAmpersandToken, "&&"],
  [SyntaxKind.BarBarToken, "||"],
  [SyntaxKind.QuestionQuestionToken, "??"],
]);
const UNARY_TOKENS: ReadonlyMap<SyntaxKind, UnaryOp> = new Map<SyntaxKind, UnaryOp>([
  [SyntaxKind.MinusToken, "-"],
  [SyntaxKind.PlusToken, "+"],
  [SyntaxKind.ExclamationToken, "!"],
  [SyntaxKind.TildeToken, "~"],
]);

/** An {@link Expr} for a constant's value (JSON values, plus `undefined`, NaN, ±Infinity, -0). */
export function valueToExpr(value: unknown, name = "value", depth = 0): Expr {
  if (depth > 32) fail(`constant ${name} is nested too deeply to inline`);
  switch (typeof value) {
    case "number": {
      if (Number.isNaN(value)) return { kind: "global", name: "NaN" };
      const magnitude: Expr = Number.isFinite(value)
        ? { kind: "literal", value: Math.abs(value) }
        : { kind: "global", name: "Infinity" };
      return value < 0 || Object.is(value, -0) ? { kind: "unary", op: "-", arg: magnitude } : magnitude;
    }
    case "string":
    case "boolean":
      return { kind: "literal", value };
    case "undefined":
      return { kind: "global", name: "undefined" };
    case "object": {
      if (value === null) return { kind: "literal", value: null };
      if (Array.isArray(value)) {
        return { kind: "array", elements: value.map((v, i) => valueToExpr(v, `${name}[${i}]`, depth + 1)) };
      }
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) {
        return {
          kind: "object",
          entries: Object.entries(value).map(([key, v]) => {
            if (key === "__proto__") fail(`constant ${name} has a __proto__ key`);
            return { key, value: valueToExpr(v, `${name}.${key}`, depth + 1) };
          }),
        };
      }
      return fail(
        `constant ${name} is a ${proto?.constructor?.name ?? "object"} (only JSON values can be inlined)`,
      );
    }
    case "function":
      return fail(`constant ${name} is a function (only JSON values can be inlined)`);
    default:
      return fail(`constant ${name} is a ${typeof value} (only JSON values can be inlined)`);
  }
}

class Translator {
  private nodes = 0;
  constructor(
    private readonly scope: ReadonlyMap<string, Expr>,
    private readonly options: TranslateOptions,
  ) {}

  private count(): void {
    if (++this.nodes > MAX_NODES) fail(`the expression is too large (over ${MAX_NODES} nodes)`);
  }

  private isShadowed(name: string): boolean {
    return (
      this.scope.has(name) ||
      (this.options.constants !== undefined && Object.hasOwn(this.options.constants, name))
    );
  }

  statements(list: readonly Statement[]): Expr {
    const [first, ...rest] = list;
    if (first === undefined) return { kind: "global", name: "undefined" };
    this.count();
    if (Node.isReturnStatement(first)) {
      const value = first.getExpression();
      return value === undefined ? { kind: "global", name: "undefined" } : this.expr(value);
    }
    if (Node.isBlock(first)) return this.statements([...first.getStatements(), ...rest]);
    if (Node.isEmptyStatement(first)) return this.statements(rest);
    if (Node.isIfStatement(first)) {
      const branch = (s: Statement | undefined) =>
        s === undefined ? rest : Node.isBlock(s) ? [...s.getStatements(), ...rest] : [s, ...rest];
      return {
        kind: "conditional",
        test: this.expr(first.getExpression()),
        ifTrue: this.statements(branch(first.getThenStatement())),
        ifFalse: this.statements(branch(first.getElseStatement())),
      };
    }
    if (Node.isExpressionStatement(first)) {
      const e = first.getExpression();
      if (Node.isStringLiteral(e) && e.getLiteralValue() === "use strict") return this.statements(rest);
      this.expr(e); // reports assignments, calls, … specifically
      return fail(`expression statement ${snippet(first)} (only its value would be discarded)`);
    }
    if (Node.isVariableStatement(first)) {
      const names = first.getDeclarations().map((d) => d.getName());
      return fail(
        `declares local variable${names.length > 1 ? "s" : ""} ${names.join(", ")} ` +
          "(only a single return expression, possibly under if/else, is translatable)",
      );
    }
    if (
      Node.isForStatement(first) ||
      Node.isForOfStatement(first) ||
      Node.isForInStatement(first) ||
      Node.isWhileStatement(first) ||
      Node.isDoStatement(first)
    ) {
      return fail(`contains a loop (${first.getKindName()}) — loops are not translatable`);
    }
    if (Node.isThrowStatement(first)) return fail("throws an exception (throw statement)");
    if (Node.isTryStatement(first)) return fail("contains try/catch");
    if (Node.isSwitchStatement(first)) return fail("contains a switch statement (use if/else or a ternary)");
    if (Node.isFunctionDeclaration(first) || Node.isClassDeclaration(first))
      return fail(`declares ${first.getKindName()} ${first.getName() ?? ""} in its body`.trimEnd());
    return fail(`unsupported statement ${first.getKindName()}: ${snippet(first)}`);
  }

  expr(node: Expression): Expr {
    this.count();
    const n = unwrap(node);
    if (Node.isNumericLiteral(n)) {
      const value = Number(n.compilerNode.text);
      return Number.isFinite(value) ? { kind: "literal", value } : { kind: "global", name: "Infinity" };
    }
    if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n))
      return { kind: "literal", value: n.compilerNode.text };
    if (Node.isTrueLiteral(n)) return { kind: "literal", value: true };
    if (Node.isFalseLiteral(n)) return { kind: "literal", value: false };
    if (Node.isNullLiteral(n)) return { kind: "literal", value: null };
    if (Node.isBigIntLiteral(n)) return fail(`uses a bigint literal ${n.getText()}`);
    if (Node.isRegularExpressionLiteral(n)) return fail(`uses a regular expression ${snippet(n)}`);
    if (Node.isTemplateExpression(n)) {
      const quasis = [n.getHead().compilerNode.text];
      const exprs: Expr[] = [];
      for (const span of n.getTemplateSpans()) {
        exprs.push(this.expr(span.getExpression()));
        quasis.push(span.getLiteral().compilerNode.text);
      }
      return { kind: "template", quasis, exprs };
    }
    if (Node.isTaggedTemplateExpression(n)) return fail(`uses a tagged template ${snippet(n)}`);
    if (Node.isIdentifier(n)) return this.identifier(n.getText());
    if (Node.isThisExpression(n)) return fail("uses `this` (not translatable)");
    if (n.getKind() === SyntaxKind.SuperKeyword) return fail("uses `super`");
    if (Node.isPropertyAccessExpression(n)) {
      if (n.hasQuestionDotToken() || isOptionalChain(n))
        return fail(`uses optional chaining (?.) in ${snippet(n)}`);
      const nameNode = n.getNameNode();
      if (Node.isPrivateIdentifier(nameNode)) return fail(`uses a private field ${nameNode.getText()}`);
      const qualified = this.qualifiedGlobal(n);
      if (qualified !== undefined) {
        if (Object.hasOwn(GLOBAL_FUNCTIONS, qualified))
          return fail(`uses the function ${qualified} as a value (only calls are translatable)`);
        if (qualified in CONSTANT_GLOBALS) return { kind: "global", name: qualified as GlobalName };
        return fail(`uses ${qualified} (not a supported global)`);
      }
      return memberExpr(this.expr(n.getExpression()), n.getName());
    }
    if (Node.isElementAccessExpression(n)) {
      if (n.hasQuestionDotToken() || isOptionalChain(n))
        return fail(`uses optional chaining (?.) in ${snippet(n)}`);
      const arg = unwrap(n.getArgumentExpressionOrThrow());
      let key: string;
      if (Node.isStringLiteral(arg) || Node.isNoSubstitutionTemplateLiteral(arg)) key = arg.compilerNode.text;
      else if (Node.isNumericLiteral(arg)) key = String(Number(arg.compilerNode.text));
      else return fail(`reads a computed property ${snippet(n)} (only literal keys are translatable)`);
      return memberExpr(this.expr(n.getExpression()), key);
    }
    if (Node.isCallExpression(n)) return this.call(n);
    if (Node.isNewExpression(n)) return fail(`constructs an object: ${snippet(n)}`);
    if (Node.isPrefixUnaryExpression(n)) {
      const token = n.getOperatorToken();
      const op = UNARY_TOKENS.get(token);
      if (op !== undefined) return { kind: "unary", op, arg: this.expr(n.getOperand()) };
      return fail(
        `${token === SyntaxKind.PlusPlusToken ? "increments" : "decrements"} ${snippet(n.getOperand())} (mutation is not translatable)`,
      );
    }
    if (Node.isPostfixUnaryExpression(n)) {
      const verb = n.getOperatorToken() === SyntaxKind.PlusPlusToken ? "increments" : "decrements";
      return fail(`${verb} ${snippet(n.getOperand())} (mutation is not translatable)`);
    }
    if (Node.isTypeOfExpression(n)) return { kind: "unary", op: "typeof", arg: this.expr(n.getExpression()) };
    if (Node.isVoidExpression(n)) {
      const operand = unwrap(n.getExpression());
      if (Node.isLiteralExpression(operand)) return { kind: "global", name: "undefined" };
      return fail(`uses void on a non-literal: ${snippet(n)}`);
    }
    if (Node.isDeleteExpression(n))
      return fail(`deletes a property: ${snippet(n)} (mutation is not translatable)`);
    if (Node.isAwaitExpression(n)) return fail("uses await (asynchronous; not translatable)");
    if (Node.isYieldExpression(n)) return fail("uses yield (generator; not translatable)");
    if (Node.isBinaryExpression(n)) {
      const token = n.getOperatorToken().getKind();
      const binary = BINARY_TOKENS.get(token);
      if (binary !== undefined)
        return { kind: "binary", op: binary, left: this.expr(n.getLeft()), right: this.expr(n.getRight()) };
      const logical = LOGICAL_TOKENS.get(token);
      if (logical !== undefined)
        return { kind: "logical", op: logical, left: this.expr(n.getLeft()), right: this.expr(n.getRight()) };
      if (token >= SyntaxKind.FirstAssignment && token <= SyntaxKind.LastAssignment)
        return fail(`assigns to ${snippet(n.getLeft())} (mutation is not translatable)`);
      if (token === SyntaxKind.CommaToken) return fail(`uses the comma operator: ${snippet(n)}`);
      return fail(`uses the ${n.getOperatorToken().getText()} operator (not supported)`);
    }
    if (Node.isConditionalExpression(n)) {
      return {
        kind: "conditional",
        test: this.expr(n.getCondition()),
        ifTrue: this.expr(n.getWhenTrue()),
        ifFalse: this.expr(n.getWhenFalse()),
      };
    }
    if (Node.isObjectLiteralExpression(n)) {
      const entries: ObjectEntry[] = [];
      for (const prop of n.getProperties()) {
        if (Node.isSpreadAssignment(prop)) {
          entries.push({ spread: this.expr(prop.getExpression()) });
        } else if (Node.isPropertyAssignment(prop)) {
          const nameNode = prop.getNameNode();
          let key: string;
          if (
            Node.isIdentifier(nameNode) ||
            Node.isStringLiteral(nameNode) ||
            Node.isNoSubstitutionTemplateLiteral(nameNode)
          )
            key = nameNode.compilerNode.text;
          else if (Node.isNumericLiteral(nameNode)) key = String(Number(nameNode.compilerNode.text));
          else return fail(`uses a computed key in an object literal: ${snippet(nameNode)}`);
          if (key === "__proto__")
            return fail("uses a __proto__ key in an object literal (sets the prototype)");
          entries.push({ key, value: this.expr(prop.getInitializerOrThrow()) });
        } else if (Node.isShorthandPropertyAssignment(prop)) {
          entries.push({ key: prop.getName(), value: this.identifier(prop.getName()) });
        } else {
          return fail(`defines a method or accessor in an object literal: ${snippet(prop)}`);
        }
      }
      return { kind: "object", entries };
    }
    if (Node.isArrayLiteralExpression(n)) {
      const elements = n.getElements().map((e) => {
        if (Node.isSpreadElement(e)) return fail(`uses array spread: ${snippet(e)}`);
        if (Node.isOmittedExpression(e)) return fail("uses an array literal with holes");
        return this.expr(e);
      });
      return { kind: "array", elements };
    }
    if (Node.isArrowFunction(n) || Node.isFunctionExpression(n))
      return fail(`contains a nested function ${snippet(n)} (not translatable)`);
    if (Node.isClassExpression(n)) return fail("contains a class expression");
    return fail(`unsupported syntax ${n.getKindName()}: ${snippet(n)}`);
  }

  private identifier(name: string): Expr {
    const bound = this.scope.get(name);
    if (bound !== undefined) return bound;
    const constants = this.options.constants;
    if (constants !== undefined && Object.hasOwn(constants, name)) return valueToExpr(constants[name], name);
    if (GLOBAL_IDENTIFIERS.has(name)) return { kind: "global", name: name as GlobalName };
    if (name === "arguments") return fail("uses `arguments` (not translatable)");
    const reason = this.options.freeVariableReasons?.[name];
    if (reason !== undefined) return fail(`references ${name}: ${reason}`);
    if (NAMESPACES.has(name) || BARE_GLOBAL_FUNCTIONS.has(name))
      return fail(`uses ${name} as a value (only calls of its functions are translatable)`);
    return fail(
      `references free variable ${name} (its value is not known from the source; pass it in constants if it is a constant)`,
    );
  }

  /** `Math.PI`, `Number.isFinite`, … when the root is the real global (not a parameter/constant). */
  private qualifiedGlobal(n: Node): string | undefined {
    if (!Node.isPropertyAccessExpression(n)) return undefined;
    const root = unwrap(n.getExpression());
    if (!Node.isIdentifier(root)) return undefined;
    const name = root.getText();
    if (this.isShadowed(name)) return undefined;
    if (
      NAMESPACES.has(name) ||
      name === "Date" ||
      name === "performance" ||
      name === "crypto" ||
      name === "JSON"
    )
      return `${name}.${n.getName()}`;
    return undefined;
  }

  private call(n: Node & { getExpression(): Expression; getArguments(): Node[] }): Expr {
    if (Node.isCallExpression(n) && (n.hasQuestionDotToken() || isOptionalChain(n)))
      return fail(`uses optional chaining (?.) in ${snippet(n)}`);
    const args = (): Expr[] =>
      n.getArguments().map((a) => {
        if (Node.isSpreadElement(a)) return fail(`passes spread arguments: ${snippet(a)}`);
        return this.expr(a as Expression);
      });
    const callee = unwrap(n.getExpression());
    const qualified = this.qualifiedGlobal(callee);
    if (qualified !== undefined) {
      if (NON_DETERMINISTIC.has(qualified)) return fail(`calls ${qualified} (not deterministic)`);
      if (Object.hasOwn(GLOBAL_FUNCTIONS, qualified)) return { kind: "call", fn: qualified, args: args() };
      return fail(`calls ${qualified} (not a supported function)`);
    }
    if (Node.isIdentifier(callee)) {
      const name = callee.getText();
      if (this.scope.has(name)) return fail(`calls its parameter ${name} (not translatable)`);
      if (!this.isShadowed(name) && BARE_GLOBAL_FUNCTIONS.has(name))
        return { kind: "call", fn: name, args: args() };
      return fail(`calls user function ${name} (not translatable; runs row-wise)`);
    }
    if (Node.isPropertyAccessExpression(callee)) {
      if (callee.hasQuestionDotToken()) return fail(`uses optional chaining (?.) in ${snippet(n)}`);
      const method = callee.getName();
      const spec = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
      if (spec !== undefined) {
        const object = this.expr(callee.getExpression());
        const list = args();
        if (list.length < spec.minArgs || list.length > spec.maxArgs)
          return fail(
            `calls .${method} with ${list.length} argument(s) (supported: ${spec.minArgs}–${spec.maxArgs})`,
          );
        return { kind: "method", object, method, args: list };
      }
      this.expr(callee.getExpression()); // a more specific reason about the receiver comes first
      const target = snippet(callee);
      if (
        CALLBACK_METHODS.has(method) &&
        n.getArguments().some((a) => Node.isArrowFunction(a) || Node.isFunctionExpression(a))
      )
        return fail(`calls ${target} with a callback (nested functions are not translatable)`);
      if (MUTATING_METHODS.has(method))
        return fail(`calls ${target} (mutates its receiver; not translatable)`);
      if (method.startsWith("toLocale") || method === "localeCompare" || method === "normalize")
        return fail(`calls ${target} (locale-dependent; not translatable)`);
      return fail(`calls ${target} (not a supported pure method)`);
    }
    return fail(`calls a computed function: ${snippet(n)}`);
  }
}

const CONSTANT_GLOBALS: Readonly<Record<string, true>> = Object.fromEntries(
  [
    "Math.PI",
    "Math.E",
    "Math.LN2",
    "Math.LN10",
    "Math.LOG2E",
    "Math.LOG10E",
    "Math.SQRT2",
    "Math.SQRT1_2",
    "Number.MAX_SAFE_INTEGER",
    "Number.MIN_SAFE_INTEGER",
    "Number.MAX_VALUE",
    "Number.MIN_VALUE",
    "Number.EPSILON",
    "Number.POSITIVE_INFINITY",
    "Number.NEGATIVE_INFINITY",
    "Number.NaN",
  ].map((name) => [name, true]),
);

/** Property access with canonical field folding (see `expr.ts`). */
export function memberExpr(object: Expr, key: string): Expr {
  if (key !== "length") {
    if (object.kind === "param") return { kind: "field", param: object.index, path: [key] };
    if (object.kind === "field") return { kind: "field", param: object.param, path: [...object.path, key] };
  }
  return { kind: "get", object, key };
}

function isOptionalChain(node: Node): boolean {
  return (node.compilerNode.flags & ts.NodeFlags.OptionalChain) !== 0;
}

/** Binds the names of a parameter (identifier or object destructuring) to expressions. */
function bindParameter(name: BindingName, base: Expr, scope: Map<string, Expr>): void {
  if (Node.isIdentifier(name)) {
    scope.set(name.getText(), base);
    return;
  }
  if (Node.isArrayBindingPattern(name))
    fail(`destructures an array parameter ${snippet(name)} (uses the iterator protocol; not translatable)`);
  for (const element of name.getElements()) {
    if (element.getDotDotDotToken() !== undefined) fail(`uses a rest element in ${snippet(name)}`);
    if (element.getInitializer() !== undefined) fail(`uses a default value in ${snippet(name)}`);
    const propertyName = element.getPropertyNameNode();
    let key: string;
    if (propertyName === undefined) key = element.getNameNode().getText();
    else if (Node.isIdentifier(propertyName) || Node.isStringLiteral(propertyName))
      key = propertyName.compilerNode.text;
    else if (Node.isNumericLiteral(propertyName)) key = String(Number(propertyName.compilerNode.text));
    else fail(`uses a computed key in ${snippet(name)}`);
    bindParameter(element.getNameNode(), memberExpr(base, key), scope);
  }
}

/**
 * Translates a lambda's source text (`(t) => t.x`, `t => t.x`, `function (t) { return t.x; }`,
 * `add(acc, v) { return acc + v; }`, with or without TypeScript annotations) into an expression
 * over its parameters.
 */
export function translateLambda(source: string, options: TranslateOptions = {}): TranslateResult {
  try {
    const fn = parseFunction(source);
    if (fn.isAsync()) fail("async function (returns a promise; not translatable)");
    if (!Node.isArrowFunction(fn) && fn.isGenerator()) fail("generator function (not translatable)");
    const scope = new Map<string, Expr>();
    const params: string[] = [];
    for (const [index, param] of fn.getParameters().entries()) {
      if (param.isRestParameter()) fail(`uses a rest parameter ${snippet(param)}`);
      if (param.hasInitializer()) fail(`uses a default parameter value ${snippet(param)}`);
      const nameNode = param.getNameNode();
      if (Node.isIdentifier(nameNode) && nameNode.getText() === "this") fail("declares a `this` parameter");
      params.push(Node.isIdentifier(nameNode) ? nameNode.getText() : `$${index}`);
      bindParameter(nameNode, { kind: "param", index }, scope);
    }
    // Named function expressions see their own name: calling it is recursion.
    const translator = new Translator(scope, options);
    const body = fn.getBody();
    if (body === undefined) fail("the function has no body");
    const expr = Node.isBlock(body)
      ? translator.statements(body.getStatements())
      : translator.expr(body as Expression);
    return { ok: true, expr, params };
  } catch (error) {
    if (error instanceof Untranslatable) return { ok: false, reason: error.message };
    throw error;
  }
}

/**
 * Translates one expression node that has no parameters (e.g. a constant's initializer), or
 * explains why it cannot.
 */
export function translateExpressionNode(
  node: Expression,
  options: TranslateOptions = {},
): { ok: true; expr: Expr } | { ok: false; reason: string } {
  try {
    return { ok: true, expr: new Translator(new Map(), options).expr(node) };
  } catch (error) {
    if (error instanceof Untranslatable) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Whether a name is a global the translator understands (for tools listing free variables). */
export function isKnownGlobal(name: string): boolean {
  return GLOBAL_IDENTIFIERS.has(name) || NAMESPACES.has(name) || BARE_GLOBAL_FUNCTIONS.has(name);
}
