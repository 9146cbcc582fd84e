/** Limits shared by validation and UI, in a module with no dependencies so page bundles stay small. */

/** Longest endorsement note, in characters. */
export const MAX_NOTE_LENGTH = 280;
