/** Limits shared by validation and UI, in a module with no dependencies so page bundles stay small. */

/** Longest endorsement note, in characters. */
export const MAX_NOTE_LENGTH = 280;

/** A platform-canonical thread or post id: 1–200 characters, no spaces. */
export const LOCAL_ID_PATTERN = /^[A-Za-z0-9_\-./#@:]{1,200}$/;
