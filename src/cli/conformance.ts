/** `shapegrad conformance <file-or-folder>... [--backend B] [--json]`: golden files checked on a backend. */
import { existsSync } from 'node:fs';
import { conformanceBackends, checkFileOn, formatReport, goldenFiles, type FileReport } from '../testing/conformance/runner.js';
import { allPassed } from '../testing/conformance/golden-check.js';
import { oneOf, parseFlags, UsageError } from './args.js';

export const conformanceUsage = `usage: shapegrad conformance <golden-file-or-folder>... [--backend reference|wasm|cpu|webasm|headlessgl] [--json]
  Checks components against golden vectors from the official code: every file given and every *.json in
  every folder given. Passing tensors go to stdout, failures to stderr; --json prints one JSON object
  (the reports and the counts) on stdout instead. Exit status 1 on any failure, 2 on a usage error.`;

interface Counts {
  readonly passed: number;
  readonly failed: number;
}

function count(reports: readonly FileReport[]): Counts {
  let passed = 0;
  let failed = 0;
  for (const r of reports) {
    if (r.error !== undefined) failed++;
    for (const l of r.lines) {
      if (l.status === 'pass') passed++;
      if (l.status === 'fail') failed++;
    }
  }
  return { passed, failed };
}

export async function conformanceCommand(args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let targets: readonly string[];
  let backend: string;
  let json: boolean;
  try {
    const flags = parseFlags(args, { switches: ['json'], values: ['backend'], positionals: Infinity });
    if (flags.switches.has('help')) {
      out(conformanceUsage);
      return 0;
    }
    targets = flags.positionals;
    if (targets.length === 0) throw new UsageError('give at least one golden file or folder');
    if (targets.includes('')) throw new UsageError("an empty path ('') is not a golden file or folder");
    const missing = targets.find((t) => !existsSync(t));
    if (missing !== undefined) throw new UsageError(`${missing} does not exist`);
    const empty = targets.find((t) => goldenFiles(t).length === 0);
    if (empty !== undefined) throw new UsageError(`${empty} holds no golden files (*.json)`);
    backend = oneOf(flags, 'backend', conformanceBackends(), 'reference');
    json = flags.switches.has('json');
  } catch (e) {
    err(`shapegrad conformance: ${(e as Error).message}`);
    return 2;
  }
  const reports: FileReport[] = [];
  for (const target of targets) {
    for (const file of goldenFiles(target)) {
      const report = await checkFileOn(file, { backend });
      reports.push(report);
      for (const line of formatReport(report)) (line.startsWith('FAIL') ? err : json ? () => {} : out)(line);
    }
  }
  const { passed, failed } = count(reports);
  const ok = allPassed(reports);
  if (json) out(JSON.stringify({ backend, ok, files: reports.length, passed, failed, reports }));
  else out(`conformance (${backend}): ${reports.length} files, ${passed} tensors passed, ${failed} failed`);
  return ok ? 0 : 1;
}
