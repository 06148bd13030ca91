/**
 * Type-check a snippet of TypeScript the way a user's editor or `tsc` would
 * see it (strict, NodeNext: `import ... from 'shapegrad'` resolved through the
 * package's exports, from a folder: by default the current one), and return
 * the compiler's messages. For showing, in a notebook or a test, which
 * programs the type checker rejects and why.
 *
 * It drives the TypeScript compiler, which is not a dependency of shapegrad:
 * the `typescript` package is loaded on first use, and its absence is reported
 * with the command that installs it.
 */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type * as TypeScript from 'typescript';

/** One compiler error in a snippet. */
export interface TypeDiagnostic {
  /** 1-based line in the snippet. */
  readonly line: number;
  /** 1-based column in the snippet. */
  readonly column: number;
  readonly message: string;
}

/** Where a snippet is checked from. */
export interface TypeCheckOptions {
  /** The folder the snippet is placed in for module resolution (default: the current working directory). */
  readonly from?: string;
}

let compiler: typeof TypeScript | undefined;

function typescript(): typeof TypeScript {
  if (compiler !== undefined) return compiler;
  try {
    compiler = createRequire(join(process.cwd(), 'package.json'))('typescript') as typeof TypeScript;
  } catch {
    try {
      compiler = createRequire(import.meta.url)('typescript') as typeof TypeScript;
    } catch {
      throw new Error('typeErrors needs the TypeScript compiler: npm install --save-dev typescript');
    }
  }
  return compiler;
}

/** The compiler's errors for `code`, a module that may import 'shapegrad' (an empty list: it compiles). */
export function typeErrors(code: string, options: TypeCheckOptions = {}): TypeDiagnostic[] {
  const ts = typescript();
  const compilerOptions: TypeScript.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const file = join(resolve(options.from ?? process.cwd()), '__shapegrad_snippet__.ts');
  const host = ts.createCompilerHost(compilerOptions);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) => (resolve(name) === file ? ts.createSourceFile(name, code, language) : getSourceFile.call(host, name, language, ...rest));
  host.fileExists = (name) => resolve(name) === file || fileExists.call(host, name);
  host.readFile = (name) => (resolve(name) === file ? code : readFile.call(host, name));
  const program = ts.createProgram([file], compilerOptions, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && resolve(d.file.fileName) === file)
    .map((d) => {
      const { line, character } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return { line: line + 1, column: character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') };
    });
}

/** The errors as text, one per line: 'line 3: Argument of type ...' (or 'compiles'). */
export function explainTypeErrors(code: string, options: TypeCheckOptions = {}): string {
  const errors = typeErrors(code, options);
  if (errors.length === 0) return 'compiles';
  return errors.map((e) => `line ${e.line}: ${e.message}`).join('\n');
}
