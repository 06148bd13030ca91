/** `shapegrad conformance <file-or-folder> [--backend reference]`. */
import { formatReport, runConformance } from '../testing/conformance/runner.js';

export function conformanceCommand(args: readonly string[], out: (line: string) => void): number {
  const target = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--backend');
  const b = args.indexOf('--backend');
  const backend = b >= 0 ? args[b + 1] : 'reference';
  if (target === undefined || backend === undefined) {
    out('usage: shapegrad conformance <golden-file-or-folder> [--backend reference]');
    return 2;
  }
  let result;
  try {
    result = runConformance(target, { backend });
  } catch (e) {
    out(`conformance: ${(e as Error).message}`);
    return 2;
  }
  let passed = 0;
  let failed = 0;
  for (const report of result.reports) {
    for (const line of formatReport(report)) out(line);
    if (report.error !== undefined) failed++;
    for (const l of report.lines) {
      if (l.status === 'pass') passed++;
      if (l.status === 'fail') failed++;
    }
  }
  out(`conformance (${backend}): ${result.reports.length} files, ${passed} tensors passed, ${failed} failed`);
  return result.ok ? 0 : 1;
}
