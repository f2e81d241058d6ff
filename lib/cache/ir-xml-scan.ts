// A bounded scanner of the XML subset OpenVINO IR files use: elements, attributes, comments,
// processing instructions, CDATA and text (skipped). It builds no tree and never recurses: it
// reports each start tag with its element path. Anything outside that subset is refused with a
// reason (the caller then reads the model with OpenVINO instead): a DOCTYPE (so no entity is ever
// defined or expanded), an entity other than the five predefined ones and character references,
// nesting deeper than maxDepth, a tag or attribute that is not well-formed, a mismatched end tag.

/** Why the scanner refused the text; the caller falls back to OpenVINO's own reader. */
export class XmlScanRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'XmlScanRefused';
  }
}

export interface XmlScanLimits {
  /** Deepest element nesting accepted (IR models nest a few levels; subgraph bodies a few more). */
  maxDepth: number;
}

/**
 * Called for each start tag: `path` holds the names of the open ancestors (root first) and the
 * element's own name last. Returns false to stop the scan early.
 */
export type StartTagVisitor = (path: readonly string[], attrs: ReadonlyMap<string, string>) => boolean | void;

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTRIBUTE = /\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /\s*(\/?)>/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Scans `text`; throws XmlScanRefused for anything outside the subset. */
export function scanXml(text: string, limits: XmlScanLimits, visit: StartTagVisitor): void {
  const path: string[] = [];
  let sawRoot = false;
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    if (text.startsWith('<?', lt)) {
      i = skipPast(text, '?>', lt + 2, 'an unterminated processing instruction');
    } else if (text.startsWith('<!--', lt)) {
      i = skipPast(text, '-->', lt + 4, 'an unterminated comment');
    } else if (text.startsWith('<![CDATA[', lt)) {
      if (path.length === 0) throw new XmlScanRefused('CDATA outside the root element');
      i = skipPast(text, ']]>', lt + 9, 'an unterminated CDATA section');
    } else if (text.startsWith('<!', lt)) {
      throw new XmlScanRefused('a DOCTYPE or other declaration (entities are never expanded)');
    } else if (text.startsWith('</', lt)) {
      const name = matchAt(NAME, text, lt + 2);
      if (name === undefined) throw new XmlScanRefused(`a malformed end tag at offset ${lt}`);
      const end = matchAt(TAG_END, text, lt + 2 + name.length);
      if (end === undefined || end.includes('/')) throw new XmlScanRefused(`a malformed end tag at offset ${lt}`);
      if (path.pop() !== name) throw new XmlScanRefused(`a mismatched end tag </${name}> at offset ${lt}`);
      i = lt + 2 + name.length + end.length;
    } else {
      if (sawRoot && path.length === 0) throw new XmlScanRefused('more than one root element');
      const name = matchAt(NAME, text, lt + 1);
      if (name === undefined) throw new XmlScanRefused(`a malformed start tag at offset ${lt}`);
      let at = lt + 1 + name.length;
      const attrs = new Map<string, string>();
      for (;;) {
        ATTRIBUTE.lastIndex = at;
        const m = ATTRIBUTE.exec(text);
        if (!m) break;
        const key = m[1] as string;
        if (attrs.has(key)) throw new XmlScanRefused(`a duplicate attribute ${key} at offset ${lt}`);
        attrs.set(key, decodeEntities(m[2] ?? m[3] ?? ''));
        at = ATTRIBUTE.lastIndex;
      }
      const end = matchAt(TAG_END, text, at);
      if (end === undefined) throw new XmlScanRefused(`a malformed start tag <${name}> at offset ${lt}`);
      i = at + end.length;
      path.push(name);
      if (path.length > limits.maxDepth) throw new XmlScanRefused(`elements nested deeper than ${limits.maxDepth}`);
      sawRoot = true;
      if (visit(path, attrs) === false) return;
      if (end.includes('/')) path.pop();
    }
  }
  if (!sawRoot) throw new XmlScanRefused('no root element');
  if (path.length > 0) throw new XmlScanRefused(`an unclosed element <${path[path.length - 1]}>`);
}

function skipPast(text: string, marker: string, from: number, what: string): number {
  const at = text.indexOf(marker, from);
  if (at < 0) throw new XmlScanRefused(what);
  return at + marker.length;
}

function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** The five predefined entities and character references; any other entity is refused. */
function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&([^;&]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new XmlScanRefused('an unterminated entity reference');
    const predefined = PREDEFINED[body];
    if (predefined !== undefined) return predefined;
    const code = /^#x[0-9A-Fa-f]{1,6}$/.test(body)
      ? parseInt(body.slice(2), 16)
      : /^#[0-9]{1,7}$/.test(body)
        ? parseInt(body.slice(1), 10)
        : NaN;
    if (!(code > 0 && code <= 0x10ffff)) throw new XmlScanRefused(`an entity other than the predefined ones: &${body};`);
    // a lone surrogate has no UTF-8 form: OpenVINO's bytes for it are not what JS would compare
    if (code >= 0xd800 && code <= 0xdfff) throw new XmlScanRefused(`a surrogate character reference &${body};`);
    return String.fromCodePoint(code);
  });
}
