/** `shapegrad conformance <file-or-folder> [--backend reference|cpu|webasm|...]`. */
import { conformanceBackends, formatReport, runConformance } from '../testing/conformance/runner.js';

export async function conformanceCommand(args: readonly string[], out: (line: string) => void): Promise<number> {
  const target = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--backend');
  const b = args.indexOf('--backend');
  const backend = b >= 0 ? args[b + 1] : 'reference';
  if (target === undefined || backend === undefined) {
    out(`usage: shapegrad conformance <golden-file-or-folder> [--backend ${conformanceBackends().join('|')}]`);
    return 2;
  }
  let passed = 0;
  let failed = 0;
  let result;
  try {
    result = await runConformance(target, { backend }, (report) => {
      for (const line of formatReport(report)) out(line);
      if (report.error !== undefined) failed++;
      for (const l of report.lines) {
        if (l.status === 'pass') passed++;
        if (l.status === 'fail') failed++;
      }
    });
  } catch (e) {
    out(`conformance: ${(e as Error).message}`);
    return 2;
  }
  out(`conformance (${backend}): ${result.reports.length} files, ${passed} tensors passed, ${failed} failed`);
  return result.ok ? 0 : 1;
}
