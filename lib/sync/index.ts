/** The sync client: outbox push, cursor pull, live socket, backoff. */
export * from './client';
