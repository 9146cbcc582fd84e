/**
 * Opening Tend's database with the least code (no idb, no schema, no migrations), so a page's
 * entry module can start it before anything else has loaded. A database that must first be
 * created or upgraded is left as it was: the open is refused, and `TendReader.open`, which
 * migrates, opens it instead.
 */

export const DB_NAME = 'tend';
export const DB_VERSION = 3;

/** The database is missing or older than this build: it needs the migrating open. */
export class NeedsUpgrade extends Error {
  constructor() {
    super('the database needs an upgrade');
    this.name = 'NeedsUpgrade';
  }
}

/** Opens the database at this build's version, or fails (`NeedsUpgrade` when it is older or missing). */
export function openCurrent(name: string = DB_NAME): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, DB_VERSION);
    let upgrade = false;
    request.onupgradeneeded = () => {
      // Aborting the upgrade leaves the database as it was (a new one is not kept).
      upgrade = true;
      request.transaction?.abort();
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(upgrade ? new NeedsUpgrade() : request.error);
  });
}
