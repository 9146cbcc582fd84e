/**
 * The documented deployment: Debian's nginx in front of the server with TLS, started with
 * server/deploy/nginx-tend.conf as shipped (only its ports, upstream port and certificate
 * paths changed). Joins, pushes, pulls and the live socket go through it; teammates behind
 * it keep join allowances of their own; /metrics is not served to the outside.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TendServer } from '../../server/http';
import { call, freshSqlite, op, serve, thread, type Backend } from './helpers';

const root = path.resolve(import.meta.dirname, '../..');
const CONFIG = path.join(root, 'server', 'deploy', 'nginx-tend.conf');
const NGINX = '/usr/sbin/nginx';
const HOST = 'tend.example.org';

const missing = !existsSync(NGINX) ? `${NGINX} is missing (apt-get install nginx)` : spawnSync('openssl', ['version']).status !== 0 ? 'openssl is missing' : null;
if (missing && !process.env.CI) console.warn(`[tend] ${missing}: nginx deployment test skipped`);

/** A free loopback port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Replaces `from` with `to`, requiring exactly one occurrence: the shipped file must still say what the test expects. */
function swapOnce(text: string, from: string, to: string): string {
  const n = text.split(from).length - 1;
  if (n !== 1) throw new Error(`${CONFIG} has "${from}" ${n} times, expected once`);
  return text.replace(from, to);
}

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

(missing && !process.env.CI ? describe.skip : describe)('deployment behind nginx with TLS', () => {
  let dir: string;
  let backend: Backend;
  let server: TendServer;
  let nginx: ChildProcess | undefined;
  let httpsPort: number;
  let ca: Buffer;

  /** An HTTPS request through nginx, from a chosen loopback address (a different teammate). */
  const viaProxy = (method: string, pathname: string, options: { body?: unknown; raw?: string; token?: string; from?: string; headers?: Record<string, string> } = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      const req = request(
        {
          host: '127.0.0.1',
          port: httpsPort,
          servername: HOST,
          ca,
          method,
          path: pathname,
          localAddress: options.from ?? '127.0.0.1',
          agent: false,
          headers: {
            Host: HOST,
            'Tend-Protocol': '1',
            ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
            ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
            ...(options.headers ?? {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
          });
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });

  beforeAll(async () => {
    if (missing) throw new Error(`${missing}; CI needs it (.ci/run installs nginx)`);
    dir = mkdtempSync(path.join(tmpdir(), 'tend-nginx-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${HOST}`, '-addext', `subjectAltName=DNS:${HOST}`, '-keyout', key, '-out', cert], {
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
    ca = readFileSync(cert);

    backend = freshSqlite();
    // As the file's header says: loopback, trusting only the proxy on this machine.
    server = await serve(backend.url, { trustProxy: ['127.0.0.1'], joinRateLimit: { perSecond: 0.2, burst: 3 } });
    httpsPort = await freePort();
    const httpPort = await freePort();

    let conf = readFileSync(CONFIG, 'utf8');
    conf = swapOnce(conf, 'listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`);
    conf = swapOnce(conf, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
    conf = swapOnce(conf, 'proxy_pass http://127.0.0.1:8787;', `proxy_pass http://127.0.0.1:${server.port};`);
    conf = swapOnce(conf, '/etc/ssl/tend/fullchain.pem', cert);
    conf = swapOnce(conf, '/etc/ssl/tend/privkey.pem', key);
    writeFileSync(path.join(dir, 'tend.conf'), conf);
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, sub));
    // What Debian's nginx.conf provides around conf.d/*.conf, with this test's own paths.
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      [
        'daemon off;',
        'worker_processes 1;',
        ...(process.getuid?.() === 0 ? ['user root;'] : []),
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log warn;`,
        'events { worker_connections 256; }',
        'http {',
        '  access_log off;',
        `  client_body_temp_path ${dir}/body;`,
        `  proxy_temp_path ${dir}/proxy;`,
        `  fastcgi_temp_path ${dir}/fastcgi;`,
        `  uwsgi_temp_path ${dir}/uwsgi;`,
        `  scgi_temp_path ${dir}/scgi;`,
        `  include ${dir}/tend.conf;`,
        '}',
      ].join('\n'),
    );
    const args = ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')];
    const check = spawnSync(NGINX, ['-t', ...args], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx -t: ${check.stderr}`);
    nginx = spawn(NGINX, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    nginx.stderr!.on('data', (d) => (errors += d));
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: httpsPort }, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (up) break;
      if (i > 100 || nginx.exitCode !== null) throw new Error(`nginx did not start: ${errors}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await server?.close();
    await backend?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes the configuration check as shipped, the map included', () => {
    expect(readFileSync(CONFIG, 'utf8')).toMatch(/map \$http_upgrade \$connection_upgrade \{/);
  });

  it('joins, pushes, pulls and follows the live socket through the proxy', async () => {
    const team = await server.store.resolveTeam('proxied', true);
    const join = async (name: string, from: string) => (await viaProxy('POST', '/v1/join', { body: { code: (await server.store.createInvite(team.id, 'member')).code, name }, from })).body;
    const ann = await join('Ann', '127.0.0.2');
    const bob = await join('Bob', '127.0.0.3');
    expect(ann.token).toMatch(/^tend_/);
    const ticket = (await viaProxy('POST', '/v1/live-ticket', { token: ann.token })).body.ticket;
    const ws = new WebSocket(`wss://127.0.0.1:${httpsPort}/v1/live?ticket=${encodeURIComponent(ticket)}&after=0`, { ca, servername: HOST, headers: { Host: HOST } } as WebSocket.ClientOptions);
    const got = new Promise<any>((resolve, reject) => {
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'ops' && m.ops.some((o: any) => o.type === 'claim')) resolve(m);
      });
      ws.on('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const claim = op({ type: 'claim', thread: thread('via-nginx') });
    const pushed = await viaProxy('POST', '/v1/ops', { token: bob.token, body: { ops: [claim] } });
    expect(pushed.status).toBe(200);
    expect(pushed.body.results[0]).toMatchObject({ ok: true });
    const live = await got;
    expect(live.ops.find((o: any) => o.id === claim.id)).toMatchObject({ actor: bob.member.id, seq: pushed.body.results[0].seq });
    const pulled = await viaProxy('GET', '/v1/ops?after=0', { token: ann.token });
    expect(pulled.body.ops.map((o: any) => o.id)).toContain(claim.id);
    ws.send(JSON.stringify({ type: 'ping' }));
    ws.close();
    // Oversized bodies get the server's own JSON answer from nginx.
    const big = await viaProxy('POST', '/v1/ops', { token: bob.token, raw: JSON.stringify({ ops: [], pad: 'x'.repeat(1_100_000) }) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'too-large' });
  });

  it('gives each teammate behind the proxy their own join allowance, whatever headers a client sends', async () => {
    const team = await server.store.resolveTeam('guessing', true);
    const guess = () => viaProxy('POST', '/v1/join', { body: { code: 'NOPE-NOPE', name: 'Mallory' }, from: '127.0.0.4', headers: { 'X-Forwarded-For': `198.51.100.${Math.floor(Math.random() * 200)}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await guess()).status);
    expect(statuses.slice(0, 3)).toEqual([403, 403, 403]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    // A teammate with a fresh invite, from another address, is not held back.
    const { code } = await server.store.createInvite(team.id, 'member');
    const joined = await viaProxy('POST', '/v1/join', { body: { code, name: 'Dana' }, from: '127.0.0.5' });
    expect(joined.status).toBe(200);
  });

  it('keeps /metrics from the outside, and serves it on loopback', async () => {
    expect((await viaProxy('GET', '/metrics')).status).toBe(404);
    // Even a request that slipped past the proxy's rule is refused, by its forwarded address.
    expect((await viaProxy('GET', '/metrics/', {})).status).not.toBe(200);
    expect((await call(server, 'GET', '/metrics')).status).toBe(200);
  });
});
