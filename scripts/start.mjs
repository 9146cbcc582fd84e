#!/usr/bin/env node
/**
 * `npm start`: builds Tend for Chrome and Firefox, starts the team server (PORT, HOST and
 * DATABASE_URL as for `npm run server`; by default SQLite in ./data/tend.sqlite), creates a
 * manager invite code, and says how to load the extension and join the team. The server runs
 * until Ctrl-C.
 *
 *     npm start                    team "Community team" (made on first use), or the only team there is
 *     npm start -- --team NAME     an invite to that team (made if missing)
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');
const serverMain = path.join(root, 'server', 'main.ts');

function teamArgs(argv) {
  const i = argv.findIndex((a) => a === '--team' || a.startsWith('--team='));
  if (i < 0) return [];
  const value = argv[i].includes('=') ? argv[i].slice('--team='.length) : argv[i + 1];
  if (!value) {
    console.error('npm start: --team needs a team name');
    process.exit(2);
  }
  return ['--team', value];
}
const team = teamArgs(process.argv.slice(2));

// 1. The extension.
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// 2. The team server, in its own process group: Ctrl-C here is passed on to it once, and
// it closes its sockets and database before exiting.
const server = spawn(tsx, [serverMain], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
let serverExited = false;
server.on('exit', () => (serverExited = true));
const stopServer = (signal) => {
  if (!serverExited) server.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stopServer(signal === 'SIGHUP' ? 'SIGTERM' : signal));
process.on('exit', () => stopServer('SIGTERM'));

const listening = await new Promise((resolve) => {
  let buffered = '';
  let found = null;
  server.stdout.setEncoding('utf8');
  server.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (found) return;
    buffered += chunk;
    const m = /Tend server listening on (\S+) \((.+)\)/.exec(buffered);
    if (m) resolve((found = { url: m[1], storage: m[2] }));
  });
  server.on('exit', () => resolve(found));
});
if (!listening) {
  console.error(`\nThe team server did not start (see above). If port ${process.env.PORT ?? 8787} is taken, choose another: PORT=8790 npm start`);
  process.exit(server.exitCode || 1);
}

// 3. A manager invite (the command line opens the same database next to the running server).
const invite = spawnSync(tsx, [serverMain, 'invite', '--role', 'manager', ...team], { cwd: root, env: process.env, encoding: 'utf8' });
const code = invite.status === 0 ? invite.stdout.trim() : '';
if (!code) {
  console.error(`\nCould not create an invite:\n${invite.stderr || invite.stdout}`);
  if (/--team/.test(invite.stderr)) console.error('Say which team: npm start -- --team NAME');
  stopServer('SIGTERM');
  await new Promise((resolve) => (serverExited ? resolve() : server.on('exit', resolve)));
  process.exit(invite.status || 1);
}
const about = invite.stderr.trim(); // one-time manager invite to team "…", valid until …

const chrome = path.join(root, '.output', 'chrome-mv3');
const firefox = path.join(root, '.output', 'firefox-mv3');
const loopback = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(listening.url);

console.log(`
Tend is built, and its team server is running.

Load the extension
  Chrome / Chromium / Edge: open chrome://extensions, turn on "Developer mode",
    click "Load unpacked" and choose
      ${chrome}
  Firefox: open about:debugging#/runtime/this-firefox, click "Load Temporary Add-on…"
    and choose the manifest.json in
      ${firefox}
  Then pin Tend to the toolbar and open its popup on a community site.

Team server
  address      ${listening.url}   (${listening.storage})
  invite code  ${code}
               ${about}
${
  loopback
    ? ''
    : `  Teammates on other computers need it over https:// (put a TLS proxy in front of it):
  Tend speaks plain http only to a server on the same computer.
`
}
Join the team
  Open Tend's popup, click "Settings", and enter
    server address  ${listening.url}
    invite code     ${code}
  with your display name, then "Join the team" (the browser asks for access to the server).
  From then on your claims and thanks go to the team, and teammates' show up on the pages you visit.
  Each code works once. More invites, teammates and removing someone:
    npm run server -- invite --role member${team.length ? ` --team "${team[1]}"` : ''}
    npm run server -- members
    npm run server -- revoke MEMBER_ID

The team server keeps running here; press Ctrl-C to stop it.
`);

const exitCode = await new Promise((resolve) => {
  if (serverExited) resolve(server.exitCode ?? 0);
  else server.on('exit', (code) => resolve(code ?? 0));
});
process.exit(exitCode);
