/**
 * Type-check a snippet of TypeScript against the built package, the way a
 * user's editor or `tsc` would see it (strict, NodeNext, `import ... from
 * 'shapegrad'` resolved through package.json's exports), and return the
 * compiler's messages. The notebooks use it to show which programs the type
 * checker rejects; Deno's kernel itself runs cells without type-checking.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root: this file is dist/examples/typecheck.js once built. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TypeDiagnostic {
  /** 1-based line and column in the snippet. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  skipLibCheck: true,
  types: [],
};

/** The compiler's errors for `code`, a module that may import 'shapegrad' (an empty list: it compiles). */
export function typeErrors(code: string): TypeDiagnostic[] {
  const file = join(root, 'examples', '__snippet__.ts');
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) => (resolve(name) === file ? ts.createSourceFile(name, code, language) : getSourceFile.call(host, name, language, ...rest));
  host.fileExists = (name) => resolve(name) === file || fileExists.call(host, name);
  host.readFile = (name) => (resolve(name) === file ? code : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && resolve(d.file.fileName) === file)
    .map((d) => {
      const { line, character } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return { line: line + 1, column: character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') };
    });
}

/** The errors as text, one per line: 'line 3: Argument of type ...' (or 'compiles'). */
export function explainTypeErrors(code: string): string {
  const errors = typeErrors(code);
  if (errors.length === 0) return 'compiles';
  return errors.map((e) => `line ${e.line}: ${e.message}`).join('\n');
}
