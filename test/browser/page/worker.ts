/**
 * The browser suite's dedicated Worker: runs the native wasm backend's checks
 * (./wasm-checks.ts) off the main thread, where the calling thread may block in
 * Atomics.wait, and posts the result (or the error) back.
 */
import { checkWasm } from './wasm-checks.js';
import { browser } from './dom.js';

export interface WorkerRequest {
  readonly threads?: number;
  readonly dispatch?: 'caller' | 'workers';
  readonly split?: boolean;
}

browser.onmessage = (e) => {
  const request = e.data as WorkerRequest;
  checkWasm('dedicated worker', request).then(
    (result) => browser.postMessage!({ ok: true, result }),
    (error: unknown) => browser.postMessage!({ ok: false, error: (error as Error).stack ?? String(error) }),
  );
};
browser.postMessage!({ ready: true });
