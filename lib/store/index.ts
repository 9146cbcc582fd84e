/** Tend's IndexedDB store: written by the background only, read by extension pages too. */
export * from './store';
export * from './reads';
export * from './errors';
export { DB_NAME, DB_VERSION, MIGRATIONS, type ThreadRecord, type PersonRecord, type OutboxRecord } from './schema';
