/**
 * A fake workload for the budget tests (test/bench/budget.test.ts), run as a
 * child by supervise(): each task does what its name says.
 *   ok-*     returns at once (result: the state it was handed, if any)
 *   hang-*   a synchronous endless loop: no timer of this thread can stop it
 *   crash-*  the process dies of a signal
 *   state-*  hands on a state ({ from: name }), then returns
 * A job of { stallAtStart: true } never starts a task.
 */
import { childJob } from '../../bench/budget.js';

interface FakeJob {
  readonly tasks: readonly string[];
  readonly stallAtStart?: boolean;
}

async function main(): Promise<void> {
  const ctx = await childJob<FakeJob>();
  await ctx.ready();
  if (ctx.job.stallAtStart) {
    await new Promise(() => setInterval(() => {}, 1000));
  }
  for (const name of ctx.job.tasks) {
    if (ctx.skip.has(name)) continue;
    await ctx.task(name, { name, attempt: ctx.attempt });
    await ctx.phase('working');
    if (name.startsWith('hang-')) {
      await ctx.phase('spinning');
      for (;;) {
        /* never returns, never yields */
      }
    }
    if (name.startsWith('crash-')) process.kill(process.pid, 'SIGSEGV');
    if (name.startsWith('state-')) await ctx.handOn({ from: name });
    await ctx.result({ name, attempt: ctx.attempt, state: ctx.state ?? null });
  }
  await ctx.end();
}

void main();
