/** The generic overlay engine and what overlays share on a page. */
export * from './engine';
export * from './state';
export * from './guard';
export * from './theme';
