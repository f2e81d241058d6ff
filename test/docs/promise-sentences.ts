// The sentences of a docs page that make a promise: prose only (fenced code, tables, headings,
// HTML comments and generated regions are left out), one sentence per item, whitespace
// collapsed. A sentence is a promise when it contains one of PROMISE_WORDS.

/** Words that make a sentence a promise about faults, hostile input or limits. */
export const PROMISE_WORDS =
  /\b(never|always|bounded|refuses?|refused|recover(?:s|ed)?|loses? nothing|nothing (?:is )?lost|nothing fails|no call fails|no error reaches|guarantee[sd]?)\b/i;

/** `<!-- name:start ... -->` to `<!-- name:end -->`: text a script writes, not prose. */
const GENERATED_REGION = /<!--\s*([\w-]+):start[\s\S]*?<!--\s*\1:end\s*-->/g;

/** Prose paragraphs: a blank line, a heading, a table, a fence or a list item starts a new one. */
function paragraphs(markdown: string): string[] {
  const text = markdown.replace(GENERATED_REGION, '\n').replace(/<!--[\s\S]*?-->/g, '\n');
  const result: string[] = [];
  let current: string[] = [];
  let inFence = false;
  const flush = (): void => {
    if (current.length > 0) result.push(current.join(' '));
    current = [];
  };
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      flush();
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('|')) {
      flush();
      continue;
    }
    const item = /^(?:[-*+]|\d+\.)\s+(.*)$/.exec(trimmed);
    if (item) {
      flush();
      current.push(item[1] as string);
    } else {
      current.push(trimmed);
    }
  }
  flush();
  return result;
}

/** Whitespace collapsed: how sentences and quotes are compared. */
export function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Splits after . ! ? (or a colon ending a bold lead-in) when a capital, a quote or a code span follows. */
export function sentences(markdown: string): string[] {
  return paragraphs(markdown)
    .flatMap((p) => normalize(p).split(/(?<=[.!?])\s+(?=[A-Z`*"([])/))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function promiseSentences(markdown: string): string[] {
  return sentences(markdown).filter((s) => PROMISE_WORDS.test(s));
}
