/**
 * Module-level constants a lambda may reference, found in the source text of the module that
 * defines it (no code is run): `const X = <constant expression>` at the top level, where the
 * expression uses only literals, operators, Math functions and earlier such constants.
 */
import { Node, SyntaxKind, VariableDeclarationKind } from "ts-morph";
import { evaluateRow } from "./compile-columns.ts";
import { parseSourceText, translateExpressionNode } from "./translate.ts";

export interface ModuleConstants {
  /** Values of the usable constants, by name. */
  readonly constants: Record<string, unknown>;
  /** Why other top-level names are not usable, by name (for the lambda's reason). */
  readonly reasons: Record<string, string>;
}

const DECLARATION_KINDS = new Set([
  SyntaxKind.VariableDeclaration,
  SyntaxKind.Parameter,
  SyntaxKind.BindingElement,
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.FunctionExpression,
  SyntaxKind.ClassDeclaration,
  SyntaxKind.ClassExpression,
  SyntaxKind.ImportSpecifier,
  SyntaxKind.ImportClause,
  SyntaxKind.NamespaceImport,
  SyntaxKind.EnumDeclaration,
]);

/** The constants and non-constants declared at the top level of a module's source text. */
export function moduleConstants(sourceText: string): ModuleConstants {
  const file = parseSourceText(sourceText, "module.ts");
  const declarations = new Map<string, number>();
  file.forEachDescendant((node) => {
    if (!Node.isIdentifier(node)) return;
    const parent = node.getParent();
    if (parent === undefined || !DECLARATION_KINDS.has(parent.getKind())) return;
    if (!Node.hasName(parent) || parent.getNameNode() !== node) {
      // Import specifiers bind their alias; binding elements their name.
      if (!(Node.isImportSpecifier(parent) || Node.isBindingElement(parent)) || parent.getNameNode() !== node)
        return;
    }
    declarations.set(node.getText(), (declarations.get(node.getText()) ?? 0) + 1);
  });
  const constants: Record<string, unknown> = {};
  const reasons: Record<string, string> = {};
  for (const name of declarations.keys())
    reasons[name] = "a local variable or declaration of the module (its value is not known from the source)";
  for (const statement of file.getVariableStatements()) {
    const kind = statement.getDeclarationKind();
    for (const declaration of statement.getDeclarations()) {
      const nameNode = declaration.getNameNode();
      if (!Node.isIdentifier(nameNode)) continue;
      const name = nameNode.getText();
      if ((declarations.get(name) ?? 0) > 1) {
        reasons[name] = "declared more than once in the module (which one is meant is ambiguous)";
        continue;
      }
      if (kind !== VariableDeclarationKind.Const) {
        reasons[name] = `a module-level ${kind} (mutable state; not translatable)`;
        continue;
      }
      const initializer = declaration.getInitializer();
      if (initializer === undefined) continue;
      const result = translateExpressionNode(initializer, { constants });
      if (!result.ok) {
        reasons[name] = `a module constant whose value is not a constant expression (${result.reason})`;
        continue;
      }
      try {
        constants[name] = evaluateRow(result.expr);
        delete reasons[name];
      } catch (error) {
        reasons[name] = `a module constant whose initializer throws (${String(error)})`;
      }
    }
  }
  for (const declaration of file.getImportDeclarations()) {
    for (const specifier of declaration.getNamedImports()) {
      const local = specifier.getAliasNode()?.getText() ?? specifier.getName();
      reasons[local] =
        `imported from ${declaration.getModuleSpecifierValue()} (its value is not known from this module)`;
    }
  }
  return { constants, reasons };
}
