/**
 * The optional "seed terms" setup answer: comma-separated keywords or `/regex/flags`. Plain Node
 * (no `vscode`), so the parser and the validator are unit-tested without an editor. The engine
 * reads each term with src/core/sampling/coldStart (`seedRegex`), and so does the validator here:
 * what the user is told is valid is exactly what the engine compiles.
 */
import { seedRegex } from '../core/sampling/coldStart';

/** At most this many terms: they are tried against every text of the pool at each cold-start batch. */
export const MAX_SEED_TERMS = 50;

/**
 * Where the `/regex/` starting at `start` ends (the index after its flags), or -1 when no closing
 * slash is followed by flags and then a comma or the end. A slash inside `[...]` or after a
 * backslash does not close it, so `/a{1,3}/`, `/[,/]/` and `/x\/y/` stay one term.
 */
function regexEnd(input: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < input.length; i++) {
    const c = input[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      inClass = true;
    } else if (c === ']') {
      inClass = false;
    } else if (c === '/' && !inClass && i > start + 1) {
      const tail = /^[a-z]*\s*(,|$)/.exec(input.slice(i + 1));
      if (tail) return i + 1 + tail[0].length - tail[1].length;
    }
  }
  return -1;
}

/**
 * Splits the typed answer into unique, trimmed, non-empty terms, keeping their order. Commas
 * separate terms, except inside a `/regex/`, so a regex may hold commas.
 */
export function parseSeedTerms(input: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < input.length) {
    while (i < input.length && /[\s,]/.test(input[i])) i++;
    if (i >= input.length) break;
    const end = input[i] === '/' ? regexEnd(input, i) : -1;
    const stop = end >= 0 ? end : input.indexOf(',', i) < 0 ? input.length : input.indexOf(',', i);
    const term = input.slice(i, stop).trim();
    if (term && !out.includes(term)) out.push(term);
    i = stop + 1;
  }
  return out;
}

/** The terms as the input box shows them again: `parseSeedTerms(formatSeedTerms(t))` gives `t` back. */
export function formatSeedTerms(terms: readonly string[]): string {
  return terms.join(', ');
}

/** Why one term cannot be used, or undefined when the engine will read it as the user meant. */
export function seedTermProblem(term: string): string | undefined {
  if (term.length > 1 && term.startsWith('/') && !/^\/.+\/[a-z]*$/.test(term)) {
    return `${term} starts like a /regex/ but has no closing slash (flags are lowercase letters: /flood/i).`;
  }
  try {
    seedRegex(term);
  } catch (error) {
    return `${term} is not a valid regex: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}

/** The input box's `validateInput`: the first problem, or undefined when every term is usable. */
export function validateSeedTerms(input: string): string | undefined {
  const terms = parseSeedTerms(input);
  if (terms.length > MAX_SEED_TERMS) return `At most ${MAX_SEED_TERMS} seed terms.`;
  for (const term of terms) {
    const problem = seedTermProblem(term);
    if (problem) return problem;
  }
  return undefined;
}
