/**
 * Command-line flags on Node's util.parseArgs, with the CLI's conventions: `--name value` and
 * `--name=value`, `-h`/`--help` on every command, and every mistake (an unknown flag, a value
 * missing, an extra argument) a one-line UsageError, which the commands turn into exit code 2.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export interface Flags {
  readonly values: ReadonlyMap<string, string>;
  readonly switches: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

export interface FlagSpec {
  /** Flags that take no value (`help` is always one, with `-h`). */
  readonly switches: readonly string[];
  /** Flags that take a value. */
  readonly values: readonly string[];
  /** How many positional arguments the command takes (default none). */
  readonly positionals?: number;
}

type ParseError = Error & { code?: string };

function usageMessage(e: ParseError): string {
  const name = /'(-[^' ]+)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown flag ${name}`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // parseArgs refuses `--lr -1` as ambiguous and `--lr` at the end as missing its value.
    return /ambiguous/.test(e.message) ? `${name} needs a value (write ${name}=-... for a value that starts with -)` : e.message.includes('argument missing') ? `${name} needs a value` : `${name} takes no value`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${/'([^']*)'/.exec(e.message)?.[1] ?? ''}`;
  return e.message.split('\n')[0]!;
}

/** Parse `args` against `spec`; anything else is a UsageError with one line. */
export function parseFlags(args: readonly string[], spec: FlagSpec): Flags {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const name of spec.switches) options[name] = { type: 'boolean' };
  for (const name of spec.values) options[name] = { type: 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(usageMessage(e as ParseError));
  }
  const limit = spec.positionals ?? 0;
  if (parsed.positionals.length > limit) throw new UsageError(`unexpected argument '${parsed.positionals[limit]}'`);
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (const [name, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string') values.set(name, v);
    else if (v === true) switches.add(name);
  }
  return { values, switches, positionals: parsed.positionals };
}

/** A number flag: absent gives `fallback`; otherwise it must be finite and pass `check` (`what` says what it must be). */
export function numberFlag(flags: Flags, name: string, fallback: number, check: (v: number) => boolean, what: string): number {
  const raw = flags.values.get(name);
  if (raw === undefined) return fallback;
  const v = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(v) || !check(v)) throw new UsageError(`--${name} must be ${what}, got '${raw}'`);
  return v;
}

/** An integer in [min, max]. */
export const intIn = (min: number, max: number) => (v: number) => Number.isInteger(v) && v >= min && v <= max;

/** A flag whose value is one of `allowed`. */
export function oneOf<T extends string>(flags: Flags, name: string, allowed: readonly T[], fallback: T): T {
  const v = flags.values.get(name) ?? fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}
