/** The element names Tend puts into pages, in a module with no dependencies. */

/** The host of every overlay Tend inserts into a page. */
export const HOST_TAG = 'tend-overlay';

/** Tend's drawing layer for the description editor (outlines, the picker). */
export const LAYER_TAG = 'tend-editor-layer';
