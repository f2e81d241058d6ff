// The full titles of the mocha tests a .ts file declares, read from its source with the
// TypeScript parser (no test is run): `describe > describe > it`, joined with TITLE_SEPARATOR.
// A title that is a string literal is taken as written; a template literal keeps its `${...}`
// parts as source text (`kills ${n} processes`), so a test made in a loop is cited by its pattern.
import fs from 'node:fs';
import ts from 'typescript';

export const TITLE_SEPARATOR = ' > ';

const SUITE_CALLS = new Set(['describe', 'context', 'suite']);
const TEST_CALLS = new Set(['it', 'specify', 'test']);

/** `describe`, `describe.skip`, `it.only`, ...: the callee's base name, or undefined. */
function calleeName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
    return ['skip', 'only'].includes(expression.name.text) ? expression.expression.text : undefined;
  }
  return undefined;
}

/** The title argument as text, or undefined when it is not a literal (a variable, a call). */
function titleText(node: ts.Expression, source: ts.SourceFile): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((s) => '${' + s.expression.getText(source) + '}' + s.literal.text).join('');
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = titleText(node.left, source);
    const right = titleText(node.right, source);
    return left === undefined || right === undefined ? undefined : left + right;
  }
  if (ts.isParenthesizedExpression(node)) return titleText(node.expression, source);
  return undefined;
}

/** Every test's full title in the source text (a title that is not a literal shows as `${expression}`). */
export function testTitlesInSource(text: string, fileName = 'test.ts'): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const titles: string[] = [];
  const visit = (node: ts.Node, suites: string[]): void => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression);
      const first = node.arguments[0];
      if (name !== undefined && first !== undefined && (SUITE_CALLS.has(name) || TEST_CALLS.has(name))) {
        const title = titleText(first, source) ?? '${' + first.getText(source) + '}';
        if (TEST_CALLS.has(name)) {
          titles.push([...suites, title].join(TITLE_SEPARATOR));
          return;
        }
        node.arguments.slice(1).forEach((arg) => visit(arg, [...suites, title]));
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, suites));
  };
  visit(source, []);
  return titles;
}

export function testTitlesInFile(file: string): string[] {
  return testTitlesInSource(fs.readFileSync(file, 'utf8'), file);
}
