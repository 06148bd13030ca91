/** The package's version, read from its package.json (three folders above dist/src/cli/). */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  const json = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return json.version ?? 'unknown';
}
