/** Tend's domain: pure types, ids, clocks, ops and folds, shared by extension and server. */
export * from './refs';
export * from './ids';
export * from './hlc';
export * from './ops';
export * from './text';
export * from './endorsements';
export * from './observations';
export * from './claims';
export * from './threads';
export * from './result';
export * from './hosts';
export * from './site-description';
export * from './safe-pattern';
export * from './sites';
