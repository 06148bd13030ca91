/**
 * Time budgets for the bench's rows.
 *
 * A row can hang synchronously: a gpu.js kernel on headlessgl whose shader
 * Mesa's llvmpipe never finishes compiling sits inside one native call
 * (gl.drawArrays), where no timer of the same thread and no
 * worker.terminate() can reach it. So the rows of a workload run in a child
 * process, one task (row) after another, and the parent holds a timer per
 * task: when a task's budget runs out the child is killed (SIGKILL) and the
 * task is reported as timed out, then a fresh child is started for the tasks
 * left, handed whatever the earlier child passed on (the oracle). A child that
 * dies on its own (a crash in native code) is reported the same way, as
 * crashed.
 *
 * The protocol (IPC with the 'advanced' serialization, so typed arrays travel
 * as bytes): the parent sends one JobMessage; the child sends `ready` once it
 * has loaded, then for each task `task` (the task's budget starts when the
 * parent receives it), any number of `phase`, optionally `state`, then
 * `result`; finally `end`, and exits. This module imports nothing heavy: the
 * child side loads it before anything else.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';

/** What the parent sends a child, once, right after starting it. */
export interface JobMessage<J> {
  readonly kind: 'job';
  readonly job: J;
  /** Tasks already settled (done, timed out or crashed) by earlier children of this job: skip them. */
  readonly skip: readonly string[];
  /** The last `state` an earlier child of this job sent (undefined for the first child). */
  readonly state: unknown;
  /** Each task's budget in ms (a child may use it to cut optional work short, e.g. repetitions). */
  readonly budgetMs: number;
  /** 0 for the job's first child, then 1, 2, ... for the children started after a timeout or crash. */
  readonly attempt: number;
}

export type ChildMessage =
  | { readonly kind: 'ready'; readonly ms: number }
  | { readonly kind: 'task'; readonly name: string; readonly info?: unknown }
  | { readonly kind: 'phase'; readonly phase: string }
  | { readonly kind: 'state'; readonly state: unknown }
  | { readonly kind: 'result'; readonly result: unknown }
  | { readonly kind: 'end' };

interface Settled {
  readonly name: string;
  /** What the child said about the task when it started it (workload, implementation, ...). */
  readonly info: unknown;
  /** Wall-clock ms from the parent receiving `task` to the outcome. */
  readonly ms: number;
}

export type TaskOutcome<R> =
  | (Settled & { readonly status: 'done'; readonly result: R })
  /** The budget ran out; `phase` is the last phase the child reported ('' if none). */
  | (Settled & { readonly status: 'timed out'; readonly phase: string; readonly budgetMs: number })
  /** The child died during the task without being asked to (a signal or an exit code). */
  | (Settled & { readonly status: 'crashed'; readonly phase: string; readonly reason: string });

export interface SuperviseOptions<J, R> {
  /** The child's module (a .js file run by `node`). */
  readonly script: string;
  readonly job: J;
  /** Budget of each task, in ms. */
  readonly budgetMs: number;
  /** Budget from starting a child to its first task, and between two tasks (default: budgetMs). */
  readonly idleBudgetMs?: number;
  /** Called as each task settles (the outcomes are also returned at the end). */
  readonly onOutcome?: (o: TaskOutcome<R>) => void;
  /** The child's stdio (default: stdout and stderr both to the parent's stderr, so the parent's stdout stays clean). */
  readonly stdio?: StdioOptions;
  readonly execArgv?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export interface SuperviseResult<R> {
  readonly outcomes: readonly TaskOutcome<R>[];
  /** Children started (1 + one per timeout or crash that left tasks). */
  readonly children: number;
  /** Per child: ms from fork to its `ready` message (Node start, imports, peers), as the child measured it. */
  readonly readyMs: readonly number[];
  /** Per child: ms from fork to its first `task` message as the parent saw it (undefined if it sent none). */
  readonly firstTaskMs: readonly (number | undefined)[];
  /** Set when the job could not go on: a child stalled or died outside any task. */
  readonly failure?: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;

/**
 * Run a job's tasks in child processes, each task within `budgetMs`. Never
 * hangs: every wait is bounded by a budget, and a child past one is killed.
 */
export async function supervise<J, R>(options: SuperviseOptions<J, R>): Promise<SuperviseResult<R>> {
  installExitHook();
  const outcomes: TaskOutcome<R>[] = [];
  const skip: string[] = [];
  const readyMs: number[] = [];
  const firstTaskMs: (number | undefined)[] = [];
  let state: unknown;
  let children = 0;
  const idleBudget = options.idleBudgetMs ?? options.budgetMs;
  const settle = (o: TaskOutcome<R>) => {
    outcomes.push(o);
    skip.push(o.name);
    options.onOutcome?.(o);
  };

  // One child: resolves 'end' when it finished its tasks, 'again' when a task
  // timed out or crashed (start another child for the rest), or a failure.
  const runChild = (attempt: number): Promise<{ readonly next: 'end' | 'again' } | { readonly failure: string }> =>
    new Promise((resolve) => {
      const forkedAt = performance.now();
      const child = fork(options.script, [], {
        serialization: 'advanced',
        stdio: options.stdio ?? ['ignore', 2, 2, 'ipc'],
        execArgv: [...(options.execArgv ?? [])],
        ...(options.env === undefined ? {} : { env: options.env }),
      });
      live.add(child);
      children++;
      readyMs.push(NaN);
      firstTaskMs.push(undefined);
      const slot = readyMs.length - 1;
      let current: { name: string; info: unknown; phase: string; t0: number } | undefined;
      let lastSettled: string | undefined;
      let ended = false;
      // Once decided, what this child's exit resolves to (a kill we asked for, or the end).
      let decided: { readonly next: 'end' | 'again' } | { readonly failure: string } | undefined;
      let timer: NodeJS.Timeout | undefined;
      const arm = (ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(onTimeout, ms);
      };
      const kill = (outcome: { readonly next: 'end' | 'again' } | { readonly failure: string }) => {
        decided = outcome;
        clearTimeout(timer);
        child.kill('SIGKILL');
        // SIGKILL cannot be caught; if 'exit' still does not come, do not wait for it forever.
        setTimeout(() => finish(), 10000).unref();
      };
      const finish = () => {
        clearTimeout(timer);
        live.delete(child);
        resolve(decided ?? { failure: 'child gone without a reason' });
      };
      function onTimeout() {
        if (decided) return;
        if (current) {
          settle({ status: 'timed out', name: current.name, info: current.info, phase: current.phase, budgetMs: options.budgetMs, ms: performance.now() - current.t0 });
          current = undefined;
          kill({ next: 'again' });
        } else {
          const where = lastSettled === undefined ? 'before its first task (start-up: Node, imports, data)' : `after task "${lastSettled}"`;
          kill({ failure: `child process made no progress for ${seconds(idleBudget)} ${where}; killed` });
        }
      }
      child.on('message', (raw: unknown) => {
        if (decided) return;
        const m = raw as ChildMessage;
        switch (m.kind) {
          case 'ready':
            readyMs[slot] = m.ms;
            break;
          case 'task':
            if (current) settle({ status: 'crashed', name: current.name, info: current.info, phase: current.phase, reason: 'the child started another task without a result', ms: performance.now() - current.t0 });
            current = { name: m.name, info: m.info, phase: '', t0: performance.now() };
            firstTaskMs[slot] ??= current.t0 - forkedAt;
            arm(options.budgetMs);
            break;
          case 'phase':
            if (current) current.phase = m.phase;
            break;
          case 'state':
            state = m.state;
            break;
          case 'result':
            if (!current) break;
            settle({ status: 'done', name: current.name, info: current.info, result: m.result as R, ms: performance.now() - current.t0 });
            lastSettled = current.name;
            current = undefined;
            arm(idleBudget);
            break;
          case 'end':
            ended = true;
            decided = { next: 'end' };
            clearTimeout(timer);
            // The child exits by itself; give it a moment, then make sure.
            timer = setTimeout(() => child.kill('SIGKILL'), 5000);
            break;
        }
      });
      const onGone = (why: string) => {
        if (decided) return finish();
        if (current) {
          settle({ status: 'crashed', name: current.name, info: current.info, phase: current.phase, reason: why, ms: performance.now() - current.t0 });
          current = undefined;
          decided = { next: 'again' };
        } else if (!ended) {
          const where = lastSettled === undefined ? 'before its first task' : `after task "${lastSettled}"`;
          decided = { failure: `child process ${why} ${where}` };
        }
        finish();
      };
      // 'close', not 'exit': it comes after the IPC channel closed, so every message the child sent has been seen.
      child.on('close', (code, signal) => onGone(signal !== null ? `was killed by ${signal}` : `exited with code ${code}`));
      child.on('error', (e) => {
        if (!decided) kill({ failure: `child process: ${e.message}` });
      });
      const message: JobMessage<J> = { kind: 'job', job: options.job, skip: [...skip], state, budgetMs: options.budgetMs, attempt };
      child.send(message);
      arm(idleBudget);
    });

  for (let attempt = 0; ; attempt++) {
    const r = await runChild(attempt);
    if ('failure' in r) return { outcomes, children, readyMs, firstTaskMs, failure: r.failure };
    if (r.next === 'end') return { outcomes, children, readyMs, firstTaskMs };
  }
}

// ---- the child's side --------------------------------------------------------

export interface ChildContext<J> {
  readonly job: J;
  readonly skip: ReadonlySet<string>;
  readonly state: unknown;
  readonly budgetMs: number;
  readonly attempt: number;
  /** Tell the parent the child has loaded (ms since the process started). */
  ready(): Promise<void>;
  /** A task starts: its budget runs from now. Resolves once the parent has the message, so a hang right after it is still caught. */
  task(name: string, info?: unknown): Promise<void>;
  /** Where the current task is (reported if it times out). */
  phase(phase: string): Promise<void>;
  /** Hand something to the children started after this one (replaces what was handed before). */
  handOn(state: unknown): Promise<void>;
  /** The current task's result. */
  result(result: unknown): Promise<void>;
  /** All tasks done: tell the parent and exit. */
  end(): Promise<never>;
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('not started by supervise(): no IPC channel'));
    process.send(message, undefined, {}, (e: Error | null) => (e ? reject(e) : resolve()));
  });
}

/** In a child started by supervise(): wait for the job. */
export function childJob<J>(): Promise<ChildContext<J>> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('not started by supervise(): no IPC channel'));
    // The parent going away ends the child too (no orphans running a hung kernel).
    process.on('disconnect', () => process.exit(3));
    process.once('message', (raw: unknown) => {
      const m = raw as JobMessage<J>;
      resolve({
        job: m.job,
        skip: new Set(m.skip),
        state: m.state,
        budgetMs: m.budgetMs,
        attempt: m.attempt,
        ready: () => send({ kind: 'ready', ms: performance.now() }),
        task: (name, info) => send(info === undefined ? { kind: 'task', name } : { kind: 'task', name, info }),
        phase: (phase) => send({ kind: 'phase', phase }),
        handOn: (state) => send({ kind: 'state', state }),
        result: (result) => send({ kind: 'result', result }),
        end: async () => {
          await send({ kind: 'end' });
          process.exit(0);
        },
      });
    });
  });
}
