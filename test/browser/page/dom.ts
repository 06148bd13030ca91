/**
 * The few browser APIs the page uses, typed here: the project's tsconfig has no
 * DOM library (the library itself never touches the DOM).
 */
export interface GpuAdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
}

interface WebGLLike {
  getExtension(name: string): { readonly UNMASKED_RENDERER_WEBGL: number; readonly UNMASKED_VENDOR_WEBGL: number } | null;
  getParameter(p: number): unknown;
  readonly RENDERER: number;
  readonly VENDOR: number;
}

export interface WorkerLike {
  postMessage(m: unknown): void;
  terminate(): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
}

export interface BrowserGlobals {
  readonly crossOriginIsolated?: boolean;
  readonly navigator: {
    readonly userAgent: string;
    readonly hardwareConcurrency?: number;
    readonly gpu?: { requestAdapter(): Promise<{ readonly info?: GpuAdapterInfo; readonly features?: Iterable<string> } | null> };
  };
  readonly document?: { createElement(tag: 'canvas'): { getContext(kind: string): WebGLLike | null } };
  readonly Worker: new (url: URL | string, options: { type: 'module' }) => WorkerLike;
  readonly location: { readonly href: string };
  onmessage?: (e: { data: unknown }) => void;
  postMessage?: (m: unknown) => void;
}

export const browser = globalThis as unknown as BrowserGlobals;

/** The WebGL renderer and vendor strings (unmasked where the debug extension is offered). */
export function webglRenderer(kind: 'webgl2' | 'webgl'): { renderer: string; vendor: string } | null {
  const gl = browser.document?.createElement('canvas').getContext(kind) ?? null;
  if (gl === null) return null;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  return {
    renderer: String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)),
    vendor: String(gl.getParameter(debug ? debug.UNMASKED_VENDOR_WEBGL : gl.VENDOR)),
  };
}

/** The WebGPU adapter's info, or null with no adapter. */
export async function webgpuAdapter(): Promise<GpuAdapterInfo | null> {
  const adapter = (await browser.navigator.gpu?.requestAdapter()) ?? null;
  if (adapter === null) return null;
  const info = adapter.info ?? {};
  return { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
}
