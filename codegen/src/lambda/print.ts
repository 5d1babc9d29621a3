/**
 * Prints an expression tree as JavaScript/TypeScript source. Fully parenthesized, so the text
 * means exactly the tree; `translateLambda(printLambda(expr, params))` gives the tree back for
 * every canonical tree (see `expr.ts`).
 */
import type { Expr } from "./expr.ts";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function member(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function templateText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${").replace(/\r/g, "\\r");
}

/** Source text of `expr`, with parameter `i` named `params[i]`. */
export function printExpr(expr: Expr, params: readonly string[]): string {
  const p = (e: Expr) => printExpr(e, params);
  const param = (index: number) => {
    const name = params[index];
    if (name === undefined) throw new Error(`printExpr: no name for parameter ${index}`);
    return name;
  };
  switch (expr.kind) {
    case "literal":
      return typeof expr.value === "string" ? JSON.stringify(expr.value) : String(expr.value);
    case "global":
      return expr.name;
    case "param":
      return param(expr.index);
    case "field":
      return param(expr.param) + expr.path.map(member).join("");
    case "get":
      return `(${p(expr.object)})${member(expr.key)}`;
    case "unary":
      return expr.op === "typeof" ? `(typeof ${p(expr.arg)})` : `(${expr.op}${p(expr.arg)})`;
    case "binary":
    case "logical":
      return `(${p(expr.left)} ${expr.op} ${p(expr.right)})`;
    case "conditional":
      return `(${p(expr.test)} ? ${p(expr.ifTrue)} : ${p(expr.ifFalse)})`;
    case "call":
      return `${expr.fn}(${expr.args.map(p).join(", ")})`;
    case "method":
      return `(${p(expr.object)}).${expr.method}(${expr.args.map(p).join(", ")})`;
    case "template": {
      let text = templateText(expr.quasis[0] ?? "");
      expr.exprs.forEach((e, i) => {
        text += `\${${p(e)}}${templateText(expr.quasis[i + 1] ?? "")}`;
      });
      return `\`${text}\``;
    }
    case "object":
      return `({ ${expr.entries
        .map((e) => ("spread" in e ? `...${p(e.spread)}` : `${JSON.stringify(e.key)}: ${p(e.value)}`))
        .join(", ")} })`;
    case "array":
      return `[${expr.elements.map(p).join(", ")}]`;
  }
}

/** An arrow function `(a, b) => <expr>` for the expression. */
export function printLambda(expr: Expr, params: readonly string[]): string {
  return `(${params.join(", ")}) => ${printExpr(expr, params)}`;
}
