/**
 * Headless Chromium for the browser suite, the demo and the browser bench:
 * Debian's `chromium` (or the one CHROMIUM names) driven by playwright-core.
 * WebGL2 needs no flag (ANGLE on SwiftShader where there is no GPU); a WebGPU
 * adapter needs Vulkan, on SwiftShader here, on the GPU's driver elsewhere.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The browser executable, or null with the reason. */
export function findChromium(): { path: string } | { path: null; reason: string } {
  const named = process.env['CHROMIUM'];
  if (named !== undefined && named !== '') {
    return existsSync(named) ? { path: named } : { path: null, reason: `CHROMIUM=${named} does not exist` };
  }
  const path = CANDIDATES.find((p) => existsSync(p));
  return path ? { path } : { path: null, reason: `no Chromium found (looked for ${CANDIDATES.join(', ')}; on Debian: apt-get install chromium, or set CHROMIUM)` };
}

export interface LaunchOptions {
  /** Ask for a WebGPU adapter (default true). */
  readonly webgpu?: boolean;
  /** 'swiftshader' (CPU emulation, the default where no GPU is present) or 'gpu' (the machine's Vulkan driver). */
  readonly vulkan?: 'swiftshader' | 'gpu';
}

export function chromiumArgs(options: LaunchOptions = {}): string[] {
  const args = ['--no-sandbox', '--disable-dev-shm-usage'];
  if (options.webgpu ?? true) {
    args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan');
    if ((options.vulkan ?? 'swiftshader') === 'swiftshader') args.push('--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader');
    else args.push('--use-angle=vulkan', '--ignore-gpu-blocklist');
  }
  return args;
}

export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const found = findChromium();
  if (found.path === null) throw new Error(found.reason);
  return chromium.launch({ executablePath: found.path, headless: true, args: chromiumArgs(options) });
}
