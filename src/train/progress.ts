/**
 * Progress for long work: on a terminal, one bar redrawn in place on stderr
 * (loss, learning rate, images per second, time left); elsewhere (CI, a
 * pipe, a log file) a plain line at most every few seconds. The formatting
 * functions are pure and tested on their own; {@link ProgressBar} only
 * decides when to write.
 *
 *   const bar = new ProgressBar({ label: 'dino' });
 *   bar.update({ fraction: step / steps, step, loss, lr, images: step * batch });
 *   bar.log('step 500: k-NN top-1 91.2%');   // a line above the bar
 *   bar.finish();
 */

export interface ProgressInfo {
  /** Share of the work done, 0..1 (steps done / steps, or elapsed / time budget). */
  readonly fraction: number;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly loss?: number;
  readonly lr?: number;
  readonly imagesPerSec?: number;
  /** Seconds since the work began. */
  readonly elapsedSec: number;
  /** Seconds left; estimated from fraction and elapsed when absent. */
  readonly leftSec?: number;
}

/** 7 -> '0:07', 754 -> '12:34', 3723 -> '1:02:03'; unknown -> '--:--'. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 4 significant digits; exponent notation when very small or large: 3.412, 0.0473, 3.0e-4, 1.2e+6. */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(1);
  return String(Number(x.toPrecision(4)));
}

/** A rate: 812, 1.2k, 35.0, 0.50. */
export function formatRate(x: number): string {
  if (!Number.isFinite(x) || x < 0) return '-';
  if (x >= 10000) return `${(x / 1000).toFixed(0)}k`;
  if (x >= 1000) return `${(x / 1000).toFixed(1)}k`;
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of exactly `width` characters, filled in eighths: '███▌      '. */
export function formatBar(fraction: number, width: number, ascii = false): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  if (ascii) {
    const full = Math.floor(f * width);
    return '#'.repeat(full) + '.'.repeat(width - full);
  }
  const eighths = Math.floor(f * width * 8);
  const full = Math.floor(eighths / 8);
  const part = full < width ? EIGHTHS[eighths % 8]! : '';
  return ('█'.repeat(full) + part).padEnd(width, ' ');
}

/** Seconds left, assuming the rate so far holds; undefined before any progress. */
export function estimateLeft(fraction: number, elapsedSec: number): number | undefined {
  if (!(fraction > 0) || !Number.isFinite(elapsedSec)) return undefined;
  if (fraction >= 1) return 0;
  return (elapsedSec * (1 - fraction)) / fraction;
}

/** The fields in display order, each with its rank when space runs out (lower is dropped first). */
function fields(info: ProgressInfo): Array<{ text: string; keep: number }> {
  const out: Array<{ text: string; keep: number }> = [];
  if (info.step !== undefined) out.push({ text: info.totalSteps !== undefined ? `step ${info.step}/${info.totalSteps}` : `step ${info.step}`, keep: 0 });
  if (info.loss !== undefined) out.push({ text: `loss ${formatValue(info.loss)}`, keep: 3 });
  if (info.lr !== undefined) out.push({ text: `lr ${formatValue(info.lr)}`, keep: 1 });
  if (info.imagesPerSec !== undefined) out.push({ text: `${formatRate(info.imagesPerSec)} img/s`, keep: 2 });
  return out;
}

const percent = (f: number) => `${Math.floor(Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0)) * 100)}%`.padStart(4);

/**
 * The terminal line: 'dino ███▌       35% step 120 loss 3.412 lr 3.0e-4 812 img/s 1:23 left',
 * never longer than `columns` (a wrapped line could not be redrawn in place):
 * the bar shrinks first, then trailing fields are dropped.
 */
export function formatProgressLine(label: string, info: ProgressInfo, columns = 80): string {
  const left = info.leftSec ?? estimateLeft(info.fraction, info.elapsedSec);
  let tail = [...fields(info), { text: `${formatDuration(left)} left`, keep: 4 }];
  const head = label === '' ? '' : `${label} `;
  const max = Math.max(10, columns - 1);
  for (;;) {
    const rest = ` ${percent(info.fraction)}${tail.length > 0 ? ` ${tail.map((f) => f.text).join('  ')}` : ''}`;
    const room = max - head.length - rest.length;
    if (room >= 10) return `${head}${formatBar(info.fraction, Math.min(30, room))}${rest}`;
    if (tail.length === 0) break;
    const least = Math.min(...tail.map((f) => f.keep));
    tail = tail.filter((f) => f.keep !== least);
  }
  return `${head}${percent(info.fraction)}`.slice(0, max);
}

/** The plain line for logs: 'dino  35% step 120  loss 3.412  lr 3.0e-4  812 img/s  elapsed 0:45  left 1:23'. */
export function formatProgressPlain(label: string, info: ProgressInfo): string {
  const left = info.leftSec ?? estimateLeft(info.fraction, info.elapsedSec);
  const parts = [percent(info.fraction).trim(), ...fields(info).map((f) => f.text), `elapsed ${formatDuration(info.elapsedSec)}`, `left ${formatDuration(left)}`];
  return `${label === '' ? '' : `${label} `}${parts.join('  ')}`;
}

/**
 * Images per second over a recent window (so compilation and warm-up stop
 * counting once the window has passed): feed it (time, cumulative images).
 */
export class RateMeter {
  private readonly samples: Array<{ t: number; n: number }> = [];
  constructor(private readonly windowSec = 10) {}

  add(timeSec: number, total: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && total < last.n) this.samples.length = 0; // counter restarted
    this.samples.push({ t: timeSec, n: total });
    // keep one sample at or before the window start, so the window is covered
    while (this.samples.length > 2 && this.samples[1]!.t <= timeSec - this.windowSec) this.samples.shift();
  }

  /** Images per second across the window, or undefined until two samples apart in time. */
  rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined || last.t <= first.t) return undefined;
    return (last.n - first.n) / (last.t - first.t);
  }
}

/** Where the bar writes: process.stderr, or anything with write (tests). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Shown first on each line (e.g. the method). */
  readonly label?: string;
  /** Default process.stderr. */
  readonly stream?: ProgressStream;
  /** Redraw in place; default stream.isTTY. */
  readonly tty?: boolean;
  /** Least time between terminal redraws; default 100 ms. */
  readonly redrawMs?: number;
  /** Least time between plain lines; default 5000 ms. */
  readonly plainEveryMs?: number;
  /** Clock in milliseconds (tests); default performance.now. */
  readonly now?: () => number;
}

export interface ProgressUpdate {
  /** Share of the work done, 0..1. */
  readonly fraction: number;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly loss?: number;
  readonly lr?: number;
  /** Images processed so far (cumulative); the bar derives images per second. */
  readonly images?: number;
  /** Or give the rate directly. */
  readonly imagesPerSec?: number;
  /** Seconds left, when the caller knows better (e.g. a time budget). */
  readonly leftSec?: number;
}

export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly label: string;
  private readonly redrawMs: number;
  private readonly plainEveryMs: number;
  private readonly now: () => number;
  private readonly start: number;
  private readonly meter = new RateMeter();
  private lastWrite = -Infinity;
  private last: ProgressInfo | undefined;
  private lastShown = true;
  private drawn = false;
  private finished = false;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.label = options.label ?? '';
    this.redrawMs = options.redrawMs ?? 100;
    this.plainEveryMs = options.plainEveryMs ?? 5000;
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
  }

  /** Record progress; writes only when the throttle allows. */
  update(u: ProgressUpdate): void {
    if (this.finished) return;
    const t = this.now();
    const elapsedSec = (t - this.start) / 1000;
    if (u.images !== undefined) this.meter.add(elapsedSec, u.images);
    const imagesPerSec = u.imagesPerSec ?? this.meter.rate();
    this.last = { fraction: u.fraction, step: u.step, totalSteps: u.totalSteps, loss: u.loss, lr: u.lr, imagesPerSec, elapsedSec, leftSec: u.leftSec };
    this.lastShown = false;
    if (t - this.lastWrite >= (this.tty ? this.redrawMs : this.plainEveryMs)) this.show(t);
  }

  /** A message on its own line (above the bar on a terminal). */
  log(line: string): void {
    if (this.tty && this.drawn) this.stream.write(`\r\x1b[K${line}\n`);
    else this.stream.write(`${line}\n`);
    if (this.tty && this.last !== undefined && !this.finished) this.draw();
  }

  /** Show the last state (unthrottled) and end the bar's line. */
  finish(line?: string): void {
    if (this.finished) return;
    if (this.last !== undefined && (this.tty || !this.lastShown)) this.show(this.now());
    if (this.tty && this.drawn) this.stream.write('\n');
    this.finished = true;
    if (line !== undefined) this.stream.write(`${line}\n`);
  }

  private show(t: number): void {
    this.lastWrite = t;
    this.lastShown = true;
    if (this.tty) this.draw();
    else if (this.last !== undefined) this.stream.write(`${formatProgressPlain(this.label, this.last)}\n`);
  }

  private draw(): void {
    if (this.last === undefined) return;
    this.stream.write(`\r${formatProgressLine(this.label, this.last, this.stream.columns ?? 80)}\x1b[K`);
    this.drawn = true;
  }
}
