/**
 * The WebGL2 device the webgl2-native backend draws with: a context on an
 * OffscreenCanvas (a page or a worker), RGBA32F textures, shader programs,
 * one framebuffer re-pointed at each draw's output, and readback. Every
 * failure names what failed (the kernel, the shader log, the missing feature).
 */
import type { TextureLayout } from './layout.js';

/* The project compiles without the DOM library (it runs in Node too), so the part of WebGL2 used here is declared here. */
type Handle = object;
export type WebGLTexture = Handle;
export type WebGLProgram = Handle;
type WebGLShader = Handle;
interface Gl2 {
  readonly [constant: string]: unknown;
  getExtension(name: string): { loseContext?(): void; UNMASKED_RENDERER_WEBGL?: number } | null;
  getParameter(p: number): unknown;
  createFramebuffer(): Handle | null;
  createTexture(): Handle | null;
  createShader(type: number): Handle | null;
  createProgram(): Handle | null;
  shaderSource(s: Handle, source: string): void;
  compileShader(s: Handle): void;
  getShaderParameter(s: Handle, p: number): unknown;
  getShaderInfoLog(s: Handle): string | null;
  attachShader(p: Handle, s: Handle): void;
  linkProgram(p: Handle): void;
  getProgramParameter(p: Handle, q: number): unknown;
  getProgramInfoLog(p: Handle): string | null;
  useProgram(p: Handle): void;
  getUniformLocation(p: Handle, name: string): Handle | null;
  uniform1i(location: Handle | null, v: number): void;
  bindTexture(target: number, t: Handle | null): void;
  texStorage2D(target: number, levels: number, format: number, width: number, height: number): void;
  texParameteri(target: number, p: number, v: number): void;
  texSubImage2D(target: number, level: number, x: number, y: number, width: number, height: number, format: number, type: number, data: Float32Array): void;
  bindFramebuffer(target: number, f: Handle | null): void;
  framebufferTexture2D(target: number, attachment: number, textarget: number, t: Handle, level: number): void;
  checkFramebufferStatus(target: number): number;
  activeTexture(unit: number): void;
  viewport(x: number, y: number, width: number, height: number): void;
  drawArrays(mode: number, first: number, count: number): void;
  drawBuffers(buffers: number[]): void;
  readPixels(x: number, y: number, width: number, height: number, format: number, type: number, out: Float32Array): void;
  getError(): number;
  isContextLost(): boolean;
  deleteTexture(t: Handle): void;
  deleteProgram(p: Handle): void;
  deleteShader(s: Handle): void;
  deleteFramebuffer(f: Handle): void;
}
type Canvas = { getContext(kind: 'webgl2', options?: object): Gl2 | null };
const offscreenCanvas = (): (new (w: number, h: number) => Canvas) | undefined => (globalThis as { OffscreenCanvas?: new (w: number, h: number) => Canvas }).OffscreenCanvas;

/** The WebGL2 constants used here, read from the context (they are instance properties too). */
const K = (gl: Gl2, name: string): number => gl[name] as number;

export interface Webgl2Device {
  readonly maxTextureSize: number;
  /** The renderer string, where the browser tells it. */
  readonly renderer: string;
  texture(width: number, height: number): WebGLTexture;
  upload(texture: WebGLTexture, layout: TextureLayout, texels: Float32Array): void;
  program(vertex: string, fragment: string, samplers: number, label: string): WebGLProgram;
  /** One draw over a width x height target: into one texture, or into several (location k into outputs[k]). */
  draw(program: WebGLProgram, outputs: readonly WebGLTexture[], width: number, height: number, inputs: readonly WebGLTexture[]): void;
  read(texture: WebGLTexture, layout: TextureLayout): Float32Array;
  /** Wait until every draw so far has finished (one texel read back). */
  finish(): void;
  destroy(): void;
}

/** Why WebGL2 cannot run here, or undefined when it can (a context with float render targets). */
export function webgl2Unavailable(): string | undefined {
  const Offscreen = offscreenCanvas();
  if (Offscreen === undefined) return 'no OffscreenCanvas here (webgl2-native runs in a browser page or worker)';
  const gl = new Offscreen(1, 1).getContext('webgl2');
  if (!gl) return 'this browser gives no WebGL2 context';
  const ok = gl.getExtension('EXT_color_buffer_float') !== null;
  gl.getExtension('WEBGL_lose_context')?.loseContext?.();
  return ok ? undefined : 'WebGL2 here cannot render to float textures (no EXT_color_buffer_float)';
}

export function createWebgl2(): Webgl2Device {
  const why = webgl2Unavailable();
  if (why !== undefined) throw new Error(`compile: backend webgl2-native is not available: ${why}`);
  const Offscreen = offscreenCanvas()!;
  const gl = new Offscreen(1, 1).getContext('webgl2', { antialias: false, depth: false, stencil: false, alpha: true, premultipliedAlpha: false, preserveDrawingBuffer: false })!;
  gl.getExtension('EXT_color_buffer_float');
  const framebuffer = gl.createFramebuffer()!;
  const multiFramebuffer = gl.createFramebuffer()!;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL!) : gl.getParameter(K(gl, 'RENDERER')));
  const owned: { textures: WebGLTexture[]; programs: WebGLProgram[]; shaders: WebGLShader[] } = { textures: [], programs: [], shaders: [] };
  let checkedFramebuffer = false;

  const shader = (type: number, source: string, label: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, source);
    gl.compileShader(s);
    owned.shaders.push(s);
    return { s, label };
  };
  const shaderError = (s: WebGLShader, label: string, source: string) => {
    if (gl.getShaderParameter(s, K(gl, 'COMPILE_STATUS'))) return;
    const lines = source.split('\n').map((l, i) => `${String(i + 1).padStart(4)} ${l}`).join('\n');
    throw new Error(`webgl2-native: the shader of ${label} did not compile: ${gl.getShaderInfoLog(s) ?? ''}\n${lines}`);
  };

  return {
    maxTextureSize: Number(gl.getParameter(K(gl, 'MAX_TEXTURE_SIZE'))),
    renderer,
    texture(width, height) {
      const t = gl.createTexture()!;
      gl.bindTexture(K(gl, 'TEXTURE_2D'), t);
      gl.texStorage2D(K(gl, 'TEXTURE_2D'), 1, K(gl, 'RGBA32F'), width, height);
      gl.texParameteri(K(gl, 'TEXTURE_2D'), K(gl, 'TEXTURE_MIN_FILTER'), K(gl, 'NEAREST'));
      gl.texParameteri(K(gl, 'TEXTURE_2D'), K(gl, 'TEXTURE_MAG_FILTER'), K(gl, 'NEAREST'));
      gl.texParameteri(K(gl, 'TEXTURE_2D'), K(gl, 'TEXTURE_WRAP_S'), K(gl, 'CLAMP_TO_EDGE'));
      gl.texParameteri(K(gl, 'TEXTURE_2D'), K(gl, 'TEXTURE_WRAP_T'), K(gl, 'CLAMP_TO_EDGE'));
      owned.textures.push(t);
      return t;
    },
    upload(texture, layout, texels) {
      gl.bindTexture(K(gl, 'TEXTURE_2D'), texture);
      gl.texSubImage2D(K(gl, 'TEXTURE_2D'), 0, 0, 0, layout.width, layout.height, K(gl, 'RGBA'), K(gl, 'FLOAT'), texels);
    },
    program(vertex, fragment, samplers, label) {
      // Both shaders compile before either is checked, so a driver may compile them in parallel.
      const vs = shader(K(gl, 'VERTEX_SHADER'), vertex, label);
      const fs = shader(K(gl, 'FRAGMENT_SHADER'), fragment, label);
      const p = gl.createProgram()!;
      gl.attachShader(p, vs.s);
      gl.attachShader(p, fs.s);
      gl.linkProgram(p);
      if (!gl.getProgramParameter(p, K(gl, 'LINK_STATUS'))) {
        shaderError(vs.s, label, vertex);
        shaderError(fs.s, label, fragment);
        throw new Error(`webgl2-native: the program of ${label} did not link: ${gl.getProgramInfoLog(p) ?? ''}`);
      }
      gl.useProgram(p);
      for (let unit = 0; unit < samplers; unit++) gl.uniform1i(gl.getUniformLocation(p, `u${unit}`), unit);
      owned.programs.push(p);
      return p;
    },
    draw(program, outputs, width, height, inputs) {
      const many = outputs.length > 1;
      gl.bindFramebuffer(K(gl, 'FRAMEBUFFER'), many ? multiFramebuffer : framebuffer);
      outputs.forEach((t, k) => gl.framebufferTexture2D(K(gl, 'FRAMEBUFFER'), K(gl, 'COLOR_ATTACHMENT0') + k, K(gl, 'TEXTURE_2D'), t, 0));
      if (many) gl.drawBuffers(outputs.map((_, k) => K(gl, 'COLOR_ATTACHMENT0') + k));
      if (!checkedFramebuffer) {
        const status = gl.checkFramebufferStatus(K(gl, 'FRAMEBUFFER'));
        if (status !== K(gl, 'FRAMEBUFFER_COMPLETE')) throw new Error(`webgl2-native: cannot render to an RGBA32F texture here (framebuffer status 0x${status.toString(16)})`);
        checkedFramebuffer = true;
      }
      gl.useProgram(program);
      inputs.forEach((t, unit) => {
        gl.activeTexture(K(gl, 'TEXTURE0') + unit);
        gl.bindTexture(K(gl, 'TEXTURE_2D'), t);
      });
      gl.viewport(0, 0, width, height);
      gl.drawArrays(K(gl, 'TRIANGLES'), 0, 3);
    },
    read(texture, layout) {
      gl.bindFramebuffer(K(gl, 'FRAMEBUFFER'), framebuffer);
      gl.framebufferTexture2D(K(gl, 'FRAMEBUFFER'), K(gl, 'COLOR_ATTACHMENT0'), K(gl, 'TEXTURE_2D'), texture, 0);
      const out = new Float32Array(layout.width * layout.height * 4);
      gl.readPixels(0, 0, layout.width, layout.height, K(gl, 'RGBA'), K(gl, 'FLOAT'), out);
      const error = gl.getError();
      if (error !== K(gl, 'NO_ERROR')) throw new Error(`webgl2-native: WebGL error 0x${error.toString(16)} after the run${gl.isContextLost() ? ' (the context was lost)' : ''}`);
      return out;
    },
    finish() {
      gl.readPixels(0, 0, 1, 1, K(gl, 'RGBA'), K(gl, 'FLOAT'), new Float32Array(4));
    },
    destroy() {
      owned.textures.forEach((t) => gl.deleteTexture(t));
      owned.programs.forEach((p) => gl.deleteProgram(p));
      owned.shaders.forEach((s) => gl.deleteShader(s));
      gl.deleteFramebuffer(framebuffer);
      gl.deleteFramebuffer(multiFramebuffer);
      gl.getExtension('WEBGL_lose_context')?.loseContext?.();
    },
  };
}
