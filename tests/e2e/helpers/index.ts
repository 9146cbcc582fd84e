export * from './paths';
export * from './browser';
export * from './server';
export * from './a11y';
export * from './messaging';
export * from './storage';
export * from './overlays';
