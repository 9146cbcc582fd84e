/** The typed protocol between content scripts, extension pages and the background. */
export * from './protocol';
export * from './sender';
export * from './router';
export * from './hub';
export * from './handlers';
