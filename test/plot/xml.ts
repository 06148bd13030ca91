/**
 * A tiny XML well-formedness checker for the SVG tests: balanced tags, one
 * root, quoted attributes without duplicates, no stray '<' or '&' in text.
 * Returns the elements in document order.
 */
export interface XmlElement {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** Direct text content (entities decoded). */
  text: string;
  readonly parent: XmlElement | undefined;
}

const NAME = /^[A-Za-z_][-\w.:]*$/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(s: string, where: string): string {
  if (/&/.test(s.replace(ENTITY, ''))) throw new Error(`bare '&' in ${where}: ${s.slice(0, 40)}`);
  return s.replace(ENTITY, (e) => ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" })[e] ?? '?');
}

export function parseXml(doc: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let roots = 0;
  let i = 0;
  const src = doc.replace(/^<\?xml[^>]*\?>/, '');
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const chunk = lt < 0 ? src.slice(i) : src.slice(i, lt);
    if (chunk.includes('>')) throw new Error(`stray '>' in text: ${chunk.slice(0, 40)}`);
    if (chunk.trim() !== '') {
      const top = stack[stack.length - 1];
      if (top === undefined) throw new Error(`text outside the root: ${chunk.trim().slice(0, 40)}`);
      top.text += decode(chunk, `<${top.tag}> text`);
    }
    if (lt < 0) break;
    if (src.startsWith('<!--', lt)) {
      const end = src.indexOf('-->', lt);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    const gt = src.indexOf('>', lt);
    if (gt < 0) throw new Error(`unterminated tag at ${lt}`);
    const body = src.slice(lt + 1, gt);
    if (body.includes('<')) throw new Error(`'<' inside a tag at ${lt}`);
    i = gt + 1;
    if (body.startsWith('/')) {
      const name = body.slice(1).trim();
      const open = stack.pop();
      if (open === undefined || open.tag !== name) throw new Error(`</${name}> closes ${open ? `<${open.tag}>` : 'nothing'}`);
      continue;
    }
    const selfClosing = body.endsWith('/');
    const inner = selfClosing ? body.slice(0, -1) : body;
    const m = /^([^\s/]+)([\s\S]*)$/.exec(inner);
    if (!m || !NAME.test(m[1]!)) throw new Error(`bad tag name in <${body.slice(0, 30)}>`);
    const tag = m[1]!;
    const attrs: Record<string, string> = {};
    const rest = m[2]!.replace(/\s+([A-Za-z_][-\w.:]*)="([^"<]*)"/g, (_, k: string, v: string) => {
      if (k in attrs) throw new Error(`duplicate attribute ${k} on <${tag}>`);
      attrs[k] = decode(v, `${tag}@${k}`);
      return '';
    });
    if (rest.trim() !== '') throw new Error(`malformed attributes on <${tag}>: ${rest.trim().slice(0, 40)}`);
    const parent = stack[stack.length - 1];
    if (parent === undefined && roots++ > 0) throw new Error(`second root element <${tag}>`);
    const e: XmlElement = { tag, attrs, text: '', parent };
    elements.push(e);
    if (!selfClosing) stack.push(e);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.tag}>`);
  if (roots !== 1) throw new Error('no root element');
  return elements;
}
