import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { supervise, type TaskOutcome } from '../../bench/budget.js';

const FAKE = fileURLToPath(new URL('./fake-child.js', import.meta.url));

interface FakeResult {
  readonly name: string;
  readonly attempt: number;
  readonly state: unknown;
}

const run = (tasks: readonly string[], budgetMs: number, extra: { stallAtStart?: boolean } = {}) =>
  supervise<{ tasks: readonly string[]; stallAtStart?: boolean }, FakeResult>({ script: FAKE, job: { tasks, ...extra }, budgetMs, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });

const summary = (outcomes: readonly TaskOutcome<FakeResult>[]) => outcomes.map((o) => `${o.name}:${o.status}`);

describe('bench row budget (supervise)', function () {
  this.timeout(30000);

  it('runs every task of a job that keeps within budget in one child', async () => {
    const r = await run(['ok-a', 'ok-b', 'ok-c'], 5000);
    assert.deepEqual(summary(r.outcomes), ['ok-a:done', 'ok-b:done', 'ok-c:done']);
    assert.equal(r.children, 1);
    assert.equal(r.failure, undefined);
    assert.ok(Number.isFinite(r.readyMs[0]));
  });

  it('reports a synchronous hang as timed out, with its phase, and still runs the tasks after it', async () => {
    const t0 = performance.now();
    const r = await run(['ok-a', 'hang-b', 'ok-c', 'hang-d', 'ok-e'], 1000);
    const elapsed = performance.now() - t0;
    assert.deepEqual(summary(r.outcomes), ['ok-a:done', 'hang-b:timed out', 'ok-c:done', 'hang-d:timed out', 'ok-e:done']);
    const b = r.outcomes[1]!;
    assert.ok(b.status === 'timed out' && b.phase === 'spinning' && b.budgetMs === 1000);
    assert.ok(b.ms >= 950 && b.ms < 5000, `timed out after ${b.ms} ms`);
    assert.equal(r.children, 3, 'a fresh child after each timeout');
    // The tasks after a timeout ran in later children.
    assert.deepEqual(
      r.outcomes.filter((o) => o.status === 'done').map((o) => (o.status === 'done' ? o.result.attempt : -1)),
      [0, 1, 2],
    );
    assert.ok(elapsed < 20000, `took ${elapsed} ms`);
  });

  it('hands the state on to the child started after a timeout', async () => {
    const r = await run(['state-a', 'hang-b', 'ok-c'], 1000);
    const c = r.outcomes[2]!;
    assert.ok(c.status === 'done');
    assert.deepEqual(c.result.state, { from: 'state-a' });
  });

  it('reports a child that dies during a task as crashed and goes on', async () => {
    const r = await run(['ok-a', 'crash-b', 'ok-c'], 5000);
    assert.deepEqual(summary(r.outcomes), ['ok-a:done', 'crash-b:crashed', 'ok-c:done']);
    const b = r.outcomes[1]!;
    assert.ok(b.status === 'crashed' && /SIGSEGV/.test(b.reason), JSON.stringify(b));
  });

  it('gives up on a child that never starts a task, within the budget', async () => {
    const t0 = performance.now();
    const r = await run(['ok-a'], 800, { stallAtStart: true });
    assert.equal(r.outcomes.length, 0);
    assert.match(r.failure ?? '', /no progress .* before its first task/);
    assert.ok(performance.now() - t0 < 10000);
  });
});
