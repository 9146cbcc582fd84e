/**
 * The server's command line, as `npm run server -- …` runs it: start, invite, members,
 * revoke and compact on a SQLite file given by DATABASE_URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
