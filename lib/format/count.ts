// Counts as people read them: "1 entry", "2 entries", "0 problems". Every count the CLI prints
// with a noun goes through countOf, so no line ever reads "1 entries" or "problem(s)".

/** Nouns whose plural is not the singular + "s". */
const IRREGULAR: Readonly<Record<string, string>> = {
  entry: 'entries',
  'old entry': 'old entries',
  miss: 'misses',
  leftover: 'leftovers',
};

/** "1 entry", "3 entries", "0 problems"; `plural` for a noun not in the list above. */
export function countOf(n: number, singular: string, plural?: string): string {
  return `${n} ${n === 1 ? singular : (plural ?? IRREGULAR[singular] ?? `${singular}s`)}`;
}
