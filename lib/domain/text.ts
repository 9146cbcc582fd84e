/**
 * Rules for text that people and pages put into ops. Names and handles are shown beside
 * other people's words and compared as identities, so they refuse what can hide or disguise
 * them: control characters (NUL among them, which PostgreSQL text cannot hold), bidirectional
 * embeddings, overrides and isolates (which make "Bob" render as someone else), and lone
 * surrogates (which are not Unicode text at all, and which databases store or reject
 * differently). Free text read from pages (titles, notes, tags) is normalised instead, since
 * refusing it would drop a whole sighting for one odd character.
 */

/** Controls, direction overrides and lone surrogates: none belongs in a name or a handle. */
const UNSAFE_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Controls other than tab and line breaks, which notes may use. */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Whether a name or handle is free of controls, direction overrides and lone surrogates. */
export function isSafeName(text: string): boolean {
  return !UNSAFE_IN_NAME.test(text);
}

/** What a name or handle that fails `isSafeName` is told. */
export const UNSAFE_NAME_MESSAGE = 'contains control characters, text-direction overrides or broken Unicode';

/**
 * Free text made storable everywhere: control characters other than tab and line breaks are
 * dropped and lone surrogates become U+FFFD. Idempotent, so client and server agree.
 */
export function cleanText(text: string): string {
  return text.replace(CONTROLS, '').replace(LONE_SURROGATE, '\ufffd');
}
