/** An error's message on one line, shortened. */
export function oneLine(e: unknown, max = 160): string {
  const text = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
