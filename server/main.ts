/**
 * The Tend server's command line (`npm run server -- …`):
 *
 *     npm run server                                        start (PORT, HOST, DATABASE_URL)
 *     npm run server -- invite --role manager|member [--team NAME]   a one-time invite code
 *     npm run server -- members [--team NAME]               list members
 *     npm run server -- revoke MEMBER_ID                    remove a member (closes their sockets, releases claims)
 *     npm run server -- erase MEMBER_ID                     erase a member's personal data (and remove them)
 *     npm run server -- compact [--team NAME]               compact a team's log
 *     npm run server -- teams                               list teams
 */
import { parseArgs } from 'node:util';
import { openDb, parseDatabaseUrl } from './db';
import { startServer } from './http';
import { parseAddressList, parseCount, parseRateLimit, parseSqliteSync } from './settings';
import { TeamStore } from './team-store';
import { ApiError } from './errors';

const USAGE = `usage: npm run server [-- COMMAND]
  (no command)                               start the server (PORT=8787, HOST=127.0.0.1, DATABASE_URL,
                                             TEND_RATE_LIMIT, TEND_JOIN_RATE_LIMIT, TEND_TRUST_PROXY,
                                             TEND_METRICS_ALLOW, TEND_MAX_DEVICES, TEND_SQLITE_SYNC:
                                             see server/README.md)
  invite --role manager|member [--team NAME] print a one-time invite code (creates the team if needed)
  members [--team NAME]                      list a team's members
  revoke MEMBER_ID                           remove a member: tokens stop working, sockets close, claims are released
  erase MEMBER_ID                            erase a member's endorsement notes, name and handles, and remove them
  compact [--team NAME]                      drop superseded ops from a team's log
  teams                                      list teams`;

/** `--role`, `--team` (with a value, as `--team NAME` or `--team=NAME`) and positional arguments. */
function flags(args: string[]): { positional: string[]; named: Map<string, string> } {
  const { values, positionals } = parseArgs({ args, options: { role: { type: 'string' }, team: { type: 'string' } }, allowPositionals: true, strict: true });
  return { positional: positionals, named: new Map(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string')) };
}

async function admin(fn: (store: TeamStore) => Promise<void>): Promise<void> {
  const db = await openDb(parseDatabaseUrl(process.env.DATABASE_URL), { sqliteSync: parseSqliteSync(process.env.TEND_SQLITE_SYNC) });
  try {
    await fn(new TeamStore(db));
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  const { positional, named } = flags(rest);
  switch (command) {
    case 'serve':
    case 'start': {
      const port = Number(process.env.PORT ?? 8787);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`);
      const server = await startServer({
        databaseUrl: process.env.DATABASE_URL,
        port,
        host: process.env.HOST ?? '127.0.0.1',
        rateLimit: parseRateLimit('TEND_RATE_LIMIT', process.env.TEND_RATE_LIMIT),
        joinRateLimit: parseRateLimit('TEND_JOIN_RATE_LIMIT', process.env.TEND_JOIN_RATE_LIMIT),
        trustProxy: parseAddressList('TEND_TRUST_PROXY', process.env.TEND_TRUST_PROXY),
        metricsAllow: parseAddressList('TEND_METRICS_ALLOW', process.env.TEND_METRICS_ALLOW),
        maxDevices: parseCount('TEND_MAX_DEVICES', process.env.TEND_MAX_DEVICES, 10, 1, 1000),
        sqliteSync: parseSqliteSync(process.env.TEND_SQLITE_SYNC),
        poolSize: parseCount('TEND_POOL_SIZE', process.env.TEND_POOL_SIZE, 10, 1, 1000),
      });
      const where = server.db.target.kind === 'sqlite' ? `SQLite ${server.db.target.file}` : 'PostgreSQL';
      console.log(`Tend server listening on ${server.url} (${where})`);
      const stop = () => {
        console.log('Tend server stopping');
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return new Promise<number>(() => undefined);
    }
    case 'invite': {
      const role = named.get('role') ?? 'member';
      if (role !== 'member' && role !== 'manager') throw new ApiError(400, '--role must be manager or member');
      await admin(async (store) => {
        const team = await store.resolveTeam(named.get('team'), true);
        const { code, expiresAt } = await store.createInvite(team.id, role);
        console.log(code);
        console.error(`one-time ${role} invite to team "${team.name}", valid until ${new Date(expiresAt).toISOString()}`);
      });
      return 0;
    }
    case 'members': {
      await admin(async (store) => {
        const team = await store.resolveTeam(named.get('team'), false);
        const roster = await store.roster(team.id);
        console.log(`team "${team.name}" (${team.id}), lease ${Math.round(team.leaseMs / 3_600_000)} h`);
        for (const m of roster) {
          const handles = m.handles.map((h) => `${h.handle}@${h.site}`).join(', ');
          console.log(`${m.id}\t${m.role}\t${m.active ? 'active' : 'removed'}\t${m.name}${handles ? `\t${handles}` : ''}`);
        }
      });
      return 0;
    }
    case 'revoke':
    case 'erase': {
      const id = positional[0];
      if (!id) throw new ApiError(400, `usage: npm run server -- ${command} MEMBER_ID`);
      await admin(async (store) => {
        if (command === 'revoke') {
          const { released } = await store.revoke(id);
          console.log(`removed ${id}; released ${released} claim(s)`);
        } else {
          const { retracted, dropped } = await store.erase(id);
          console.log(`erased ${id}: retracted ${retracted} endorsement(s), dropped ${dropped} op(s) from the log`);
        }
      });
      return 0;
    }
    case 'compact': {
      await admin(async (store) => {
        const teams = named.get('team') ? [await store.resolveTeam(named.get('team'), false)] : await store.teams();
        for (const team of teams) {
          const { dropped, kept } = await store.compact(team.id);
          console.log(`team "${team.name}": dropped ${dropped} op(s), ${kept} left`);
        }
      });
      return 0;
    }
    case 'teams': {
      await admin(async (store) => {
        for (const t of await store.teams()) console.log(`${t.id}\t${t.name}\t${t.members} member(s)\t${t.seq} op(s) sequenced`);
      });
      return 0;
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`unknown command: ${command}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`tend: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
