/**
 * gpu.js backends by name, and what is available on this machine. Nothing
 * here falls back silently: asking for a backend that is not there is an
 * error naming it, and what actually ran is reported after each call.
 */
import gpujsPackage from 'gpu.js';

/** A gpu.js backend name. */
export type GpujsBackend = 'cpu' | 'webasm' | 'headlessgl' | 'webgl2' | 'webgl' | 'webgpu';
/** Every gpu.js backend, in the order they are tried. */
export const gpujsBackends: readonly GpujsBackend[] = ['cpu', 'webasm', 'headlessgl', 'webgl2', 'webgl', 'webgpu'];

// gpu.js is CommonJS, imported statically so that bundlers take its browser build
// (its package.json's "browser" field) and Node its own; importing it costs ~0.1 s in Node.
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface GpujsModule {
  GPU: any;
  input: (value: Float32Array, dims: number[]) => unknown;
}

export function gpujs(): GpujsModule {
  return gpujsPackage as unknown as GpujsModule;
}

/** Whether gpu.js can run this backend here (synchronous checks only; webgpu also needs an adapter). */
export function isBackendAvailable(backend: GpujsBackend): boolean {
  const { GPU } = gpujs();
  switch (backend) {
    case 'cpu':
      return true;
    case 'webasm':
      return Boolean(GPU.isWebAssemblySupported);
    case 'headlessgl':
      return Boolean(GPU.isHeadlessGLSupported);
    case 'webgl2':
      return Boolean(GPU.isWebGL2Supported);
    case 'webgl':
      return Boolean(GPU.isWebGLSupported);
    case 'webgpu':
      return Boolean(GPU.isWebGPUSupported);
  }
}

/** The gpu.js backends this machine supports (as gpu.js reports them). */
export function availableBackends(): GpujsBackend[] {
  return gpujsBackends.filter((b) => {
    try {
      return isBackendAvailable(b);
    } catch {
      return false;
    }
  });
}
