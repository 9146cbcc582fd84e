/**
 * HTTPS test servers on 127.0.0.1 with a self-signed certificate made at test time.
 *
 * Chromium reaches them under real host names through `--host-resolver-rules` (see
 * `launchExtension({ hostMap })`) and trusts the certificate through
 * `--ignore-certificate-errors-spki-list`, which also covers the extension's service worker
 * (Playwright's `ignoreHTTPSErrors` covers pages only).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REAL_FIXTURES_DIR } from './paths';

export interface TestCertificate {
  key: string;
  cert: string;
  /** base64 SHA-256 of the public key, for Chromium's `--ignore-certificate-errors-spki-list`. */
  spki: string;
}

let certificate: TestCertificate | undefined;

/** One self-signed certificate per test process (made with `openssl req -x509`). */
export function testCertificate(): TestCertificate {
  if (certificate) return certificate;
  const dir = mkdtempSync(path.join(tmpdir(), 'tend-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-nodes', '-days', '2',
        '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
        '-keyout', keyFile, '-out', certFile,
        '-subj', '/CN=Tend e2e test server',
        '-addext', 'subjectAltName=DNS:localhost,DNS:*.test,DNS:*.example.test,DNS:meta.discourse.org,IP:127.0.0.1',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const key = readFileSync(keyFile, 'utf8');
    const cert = readFileSync(certFile, 'utf8');
    const spkiDer = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
    certificate = { key, cert, spki: createHash('sha256').update(spkiDer).digest('base64') };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
export type Route =
  | string
  | Buffer
  | { status?: number; headers?: Record<string, string>; contentType?: string; body?: string | Buffer }
  | RouteHandler;

export interface ServeOptions {
  /** Serve files from this folder (directories answer with their index.html). */
  root?: string;
  /** Exact paths (without query) answered before files: `{ '/t/1': '<html>…' }`. */
  routes?: Record<string, Route>;
  /** Content-Security-Policy for every answer. Files under the real fixtures always get `script-src 'none'`. */
  csp?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface FixtureServer {
  port: number;
  /** `https://<host>:<port>`; host defaults to 127.0.0.1. */
  origin(host?: string): string;
  /** `https://<host>:<port><path>`. */
  url(pathname: string, host?: string): string;
  /** Every request seen, as `METHOD host path`. */
  requests: string[];
  close(): Promise<void>;
}

const REAL_PAGES_CSP = "script-src 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function realFixturesRoot(): string | null {
  try {
    return realpathSync(REAL_FIXTURES_DIR);
  } catch {
    return null;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Starts an HTTPS server on 127.0.0.1 answering `routes` first, then files under `root`.
 * `serveFixtures('/dir')` is short for `serveFixtures({ root: '/dir' })`.
 */
export async function serveFixtures(options: string | ServeOptions): Promise<FixtureServer> {
  const opts: ServeOptions = typeof options === 'string' ? { root: options } : options;
  const root = opts.root ? realpathSync(opts.root) : null;
  const realRoot = realFixturesRoot();
  const requests: string[] = [];
  const { key, cert } = testCertificate();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://placeholder');
    requests.push(`${req.method} ${req.headers.host ?? ''} ${url.pathname}${url.search}`);
    if (opts.csp) res.setHeader('Content-Security-Policy', opts.csp);
    res.setHeader('Cache-Control', 'no-store');

    const route = opts.routes?.[url.pathname];
    if (route !== undefined) {
      if (typeof route === 'function') return route(req, res);
      const spec = typeof route === 'string' || Buffer.isBuffer(route) ? { body: route } : route;
      res.statusCode = spec.status ?? 200;
      res.setHeader('Content-Type', spec.contentType ?? 'text/html; charset=utf-8');
      for (const [name, value] of Object.entries(spec.headers ?? {})) res.setHeader(name, value);
      res.end(spec.body ?? '');
      return;
    }

    if (root && (req.method === 'GET' || req.method === 'HEAD')) {
      let file: string;
      try {
        file = realpathSync(path.join(root, decodeURIComponent(url.pathname)));
        if (statSync(file).isDirectory()) file = realpathSync(path.join(file, 'index.html'));
      } catch {
        file = '';
      }
      if (file && isInside(file, root)) {
        if (realRoot && isInside(file, realRoot)) res.setHeader('Content-Security-Policy', REAL_PAGES_CSP);
        res.setHeader('Content-Type', contentTypeOf(file));
        res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
        return;
      }
    }
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('not found');
  }

  const server: Server = createServer({ key, cert }, (req, res) => {
    Promise.resolve(handle(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = (host = '127.0.0.1') => `https://${host}:${port}`;
  return {
    port,
    origin,
    url: (pathname, host) => `${origin(host)}${pathname.startsWith('/') ? '' : '/'}${pathname}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
