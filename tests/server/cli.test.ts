/**
 * The server's command line, as `npm run server -- …` runs it: start, invite, members,
 * revoke and compact on a SQLite file given by DATABASE_URL; several processes migrating one
 * fresh file at once; SQLite's sync setting.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { openDb } from '../../server/db';
import { parseSqliteSync } from '../../server/settings';
import { call, freshSqlite } from './helpers';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const backend = freshSqlite();
const env = { ...process.env, DATABASE_URL: `sqlite:${backend.url}` };
const cli = (...args: string[]) => spawnSync(tsx, ['server/main.ts', ...args], { cwd: root, env, encoding: 'utf8' });

afterAll(() => backend.drop());

describe('server command line', () => {
  it('starts, prints invite codes, lists and removes members, compacts', async () => {
    const child = spawn(tsx, ['server/main.ts'], { cwd: root, env: { ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+) \(SQLite /.exec(out);
          if (m) resolve(m[1]!);
        });
        child.stderr.on('data', (d) => (out += d));
        child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
      });
      expect((await call({ url }, 'GET', '/healthz')).body).toMatchObject({ ok: true, db: 'sqlite' });

      const invite = cli('invite', '--role', 'manager', '--team', 'Docs');
      expect(invite.status).toBe(0);
      const code = invite.stdout.trim();
      expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
      expect(invite.stderr).toMatch(/one-time manager invite to team "Docs"/);
      const joined = await call({ url }, 'POST', '/v1/join', { body: { code, name: 'Ann' } });
      expect(joined.body.member.role).toBe('manager');

      const members = cli('members');
      expect(members.stdout).toContain(`${joined.body.member.id}\tmanager\tactive\tAnn`);
      expect(cli('invite', '--role', 'owner').status).not.toBe(0);

      const revoke = cli('revoke', joined.body.member.id);
      expect(revoke.stdout).toMatch(/removed .*; released 0 claim/);
      expect((await call({ url }, 'GET', '/v1/team', { token: joined.body.token })).status).toBe(401);
      expect(cli('members', '--team', 'Docs').stdout).toContain('\tremoved\tAnn');
      expect(cli('compact').stdout).toMatch(/team "Docs": dropped \d+ op\(s\), \d+ left/);
      expect(cli('nonsense').status).toBe(2);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 90_000);
});

describe('several processes on one fresh SQLite file', () => {
  /** Runs a command-line process and resolves with its exit code and output. */
  const run = (file: string, ...args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(tsx, ['server/main.ts', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: `sqlite:${file}` }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.once('exit', (code) => resolve({ code, out }));
    });

  it('migrate one after another: four processes starting at once all succeed', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const fresh = freshSqlite();
      try {
        const results = await Promise.all(Array.from({ length: 4 }, () => run(fresh.url, 'teams')));
        for (const r of results) expect(r, r.out).toMatchObject({ code: 0 });
        const db = new Database(fresh.url, { readonly: true });
        const migrations = db.prepare('select name from kysely_migration order by name').all();
        db.close();
        expect(migrations.length).toBeGreaterThanOrEqual(2);
      } finally {
        await fresh.drop();
      }
    }
  }, 120_000);

  it('syncs every commit to disk unless told otherwise', async () => {
    const fresh = freshSqlite();
    try {
      const durable = await openDb({ kind: 'sqlite', file: fresh.url });
      const level = async (db: Awaited<ReturnType<typeof openDb>>) => Number(((await sql<{ synchronous: number }>`pragma synchronous`.execute(db.q)).rows[0]!).synchronous);
      expect(await level(durable)).toBe(2); // FULL
      await durable.close();
      const fast = await openDb({ kind: 'sqlite', file: fresh.url }, { sqliteSync: 'normal' });
      expect(await level(fast)).toBe(1); // NORMAL
      await fast.close();
      expect(parseSqliteSync(undefined)).toBe('full');
      expect(() => parseSqliteSync('fast')).toThrow(/TEND_SQLITE_SYNC/);
    } finally {
      await fresh.drop();
    }
  });
});
