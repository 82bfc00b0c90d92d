import * as z from 'zod';

/*
 * Free text from one client ends up on other people's screens, in email subjects and in
 * logs. Control characters break headers and logs; bidirectional formatting characters
 * (U+202E turns "gpj.exe" into "exe.jpg") and invisible ones make text read as something
 * it is not, or two ticket type names look alike. So every free-text field of every
 * request is built by one of the two builders here. Refused:
 * - category Cc: the C0 controls, DEL and the C1 controls (text over several lines keeps
 *   tab, line feed and carriage return);
 * - the bidirectional formatting characters U+061C, U+200E, U+200F, U+202A–U+202E and
 *   U+2066–U+2069;
 * - the line and paragraph separators U+2028 and U+2029 (line breaks are \n);
 * - the invisible U+200B ZERO WIDTH SPACE and U+FEFF ZERO WIDTH NO-BREAK SPACE.
 * The zero-width non-joiner and joiner (U+200C, U+200D) stay allowed: Persian, the Indic
 * scripts and emoji sequences need them.
 *
 * Plain character classes, not lookaheads or alternations, so a body of megabytes is
 * scanned in linear time and without recursion; they also reach the OpenAPI document
 * as each field's `pattern`.
 */
const CONTROLS = '\\u0000-\\u001F\\u007F-\\u009F';
const CONTROLS_BUT_LINE_BREAKS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F';
const FORMATTING =
  '\\u061C\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2028\\u2029\\u2066-\\u2069\\uFEFF';

const ONE_LINE = new RegExp(`^[^${CONTROLS}${FORMATTING}]*$`);
const OVER_LINES = new RegExp(`^[^${CONTROLS_BUT_LINE_BREAKS}${FORMATTING}]*$`);

/** Free text on one line (a name, a place, a search term): trimmed, 1 to `max` characters. */
export const plainText = (max: number) => refusing(ONE_LINE).trim().min(1).max(max);

/** Free text over several lines (a description): kept as typed, at most `max` characters. */
export const multilinePlainText = (max: number) => refusing(OVER_LINES).max(max);

/** Checked before trimming, so a refused character is refused wherever it stands. */
function refusing(allowed: RegExp) {
  return z.string().regex(allowed, {
    error: ({ input }) =>
      `must not contain control, bidirectional or invisible formatting characters${found(String(input), allowed)}`,
  });
}

/** Names the first refused character, which the client may not be able to see. */
function found(text: string, allowed: RegExp): string {
  for (const character of text) {
    if (!allowed.test(character)) {
      const hex = (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
      return ` (found U+${hex})`;
    }
  }
  return '';
}
