/**
 * headlessgl needs an X display. When none is set and Xvfb is installed, the
 * benchmark starts its own (Xvfb -displayfd reports the display number it
 * took) before gpu.js is first loaded, and stops it on exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

let server: ChildProcess | undefined;

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Start Xvfb if there is no DISPLAY; resolves to a description of what was done. */
export async function ensureDisplay(timeoutMs = 10000): Promise<string> {
  if (process.env['DISPLAY']) return `DISPLAY=${process.env['DISPLAY']}`;
  if (!onPath('Xvfb')) return 'no DISPLAY and no Xvfb: headlessgl is skipped';
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '64x64x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  server = child;
  const display = await new Promise<string | undefined>((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(text.trim());
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  if (display === undefined || !/^\d+$/.test(display)) {
    stopDisplay();
    return 'Xvfb did not start: headlessgl is skipped';
  }
  process.env['DISPLAY'] = `:${display}`;
  process.once('exit', stopDisplay);
  child.unref();
  (child.stdio[3] as unknown as { unref?: () => void }).unref?.();
  return `started Xvfb on :${display}`;
}

export function stopDisplay(): void {
  if (server && server.exitCode === null && server.pid !== undefined) server.kill('SIGTERM');
  server = undefined;
}
