#!/usr/bin/env node
/**
 * `npm run bench`: Tend's benchmarks. They print figures next to their goals; they are not
 * tests, so a missed goal does not fail the run (only a benchmark that cannot run does).
 *
 * Every `tests/bench/<name>.bench.mjs` is one section, run in file-name order (or by its
 * `order` export). A module exports
 *
 *     export const title = 'What it measures';     // optional, shown while it runs
 *     export const order = 10;                      // optional, lower runs first
 *     export async function run(ctx) { return [section, ...]; }
 *
 * where a section is `{ title, rows: string[][], notes?: string[] }`: cells are padded into
 * columns (empty trailing cells dropped), notes print under the rows. Progress goes to
 * stderr through `ctx.log`; stdout carries only the tables. `ctx` (see `makeContext`):
 *
 *     ctx.bundle(entry, { name, globalName })  Vite-bundles a browser-side .ts entry (it may import
 *                                              lib/) into an IIFE under .output/bench/<name>/, serves it,
 *                                              returns { file, url }; the page sees globalThis[globalName]
 *     ctx.openPage({ scripts, offTheRecord })  a page on the static server loading those scripts, in a
 *                                              shared on-disk profile (or a fresh in-memory context)
 *     ctx.context() / ctx.browser()            the playwright-core persistent context / Browser (lazy)
 *     ctx.server()                             the static HTTP server on 127.0.0.1: { origin, url(p),
 *                                              route(path, body, type), mount(prefix, dir) }
 *     ctx.browserName()                        "Chromium 156"
 *     ctx.option(name, default), ctx.options   `--name=value` from the command line
 *     ctx.fmt.{int,ms,times,bytes,check}, ctx.median, ctx.percentile, ctx.log, ctx.root, ctx.outDir
 *
 * A module that throws is reported and makes the exit status 1; missed goals do not.
 *
 *     npm run bench                 all sections
 *     npm run bench -- idb          only tests/bench/idb.bench.mjs (names are matched as substrings)
 *     npm run bench -- idb --rounds=5
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, 'tests', 'bench');
const outDir = path.join(root, '.output', 'bench');

const argv = process.argv.slice(2);
const only = argv.filter((a) => !a.startsWith('-'));
const options = Object.fromEntries(
  argv
    .filter((a) => a.startsWith('--'))
    .map((a) => {
      const [k, ...v] = a.slice(2).split('=');
      return [k, v.length ? v.join('=') : 'true'];
    }),
);

// ------------------------------------------------------------------------------ formatting

const fmt = {
  /** 12,345 */
  int: (n) => Math.round(n).toLocaleString('en-US'),
  /** 810 ms, 2.14 ms, 0.31 ms */
  ms: (n) => `${n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n.toFixed(2)} ms`,
  /** 1.62× */
  times: (n) => `${n.toFixed(2)}×`,
  /** 12.3 KiB */
  bytes: (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`),
  /** ✓ or ✗ */
  check: (ok) => (ok ? '✓' : '✗'),
};

/** Median of numbers. */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest-rank percentile (p in 0..100). */
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

function printSection(section) {
  console.log(section.title);
  const rows = section.rows.map((r) => {
    const cells = r.map((c) => (c == null ? '' : String(c)));
    while (cells.length && cells.at(-1) === '') cells.pop();
    return cells;
  });
  const widths = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  for (const r of rows) {
    const line = r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - [...c].length))).join('  ');
    console.log(`  ${line}`);
  }
  for (const note of section.notes ?? []) console.log(`  ${note}`);
}

// ------------------------------------------------------------------------------ context

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];

/** Chromium to drive; `TEND_CHROMIUM` overrides the Debian package's launcher. */
function chromiumPath() {
  const candidate = process.env.TEND_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(candidate)) throw new Error(`Chromium not found at ${candidate} (set TEND_CHROMIUM)`);
  return candidate;
}

function chromiumVersion() {
  try {
    return /(\d+\.[\d.]+)/.exec(execFileSync(chromiumPath(), ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[1] ?? '?';
  } catch {
    return '?';
  }
}

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

/** A tiny static HTTP server on 127.0.0.1: exact routes first, then mounted folders. */
async function startServer() {
  const routes = new Map();
  const mounts = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('Cache-Control', 'no-store');
    if (url.pathname === '/favicon.ico') {
      res.statusCode = 204;
      res.end();
      return;
    }
    const route = routes.get(url.pathname);
    if (route) {
      res.setHeader('Content-Type', route.contentType);
      res.end(route.body);
      return;
    }
    for (const { prefix, dir } of mounts) {
      if (!url.pathname.startsWith(prefix)) continue;
      const file = path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
      if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) continue;
      const ext = path.extname(file);
      res.setHeader('Content-Type', ext === '.js' || ext === '.mjs' ? 'text/javascript; charset=utf-8' : ext === '.html' ? 'text/html; charset=utf-8' : ext === '.css' ? 'text/css; charset=utf-8' : 'application/octet-stream');
      res.end(readFileSync(file));
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: (pathname) => `${origin}${pathname.startsWith('/') ? '' : '/'}${pathname}`,
    /** Answers `pathname` with `body`. */
    route(pathname, body, contentType = 'text/html; charset=utf-8') {
      routes.set(pathname, { body, contentType });
    },
    /** Serves the files under `dir` at `/prefix/…`. */
    mount(prefix, dir) {
      mounts.push({ prefix: prefix.endsWith('/') ? prefix : `${prefix}/`, dir: path.resolve(dir) });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function makeContext() {
  let browserPromise;
  let contextPromise;
  let profileDir;
  let serverPromise;
  let pageCount = 0;
  const ctx = {
    root,
    /** Build output for benchmarks (gitignored): `.output/bench`. */
    outDir,
    /** `--key=value` options from the command line, as strings. */
    options,
    /** A numeric option with a default: `ctx.option('rounds', 3)`. */
    option(name, fallback) {
      const v = options[name];
      return v === undefined || Number.isNaN(Number(v)) ? fallback : Number(v);
    },
    /** Progress line on stderr (stdout carries only the tables). */
    log,
    fmt,
    median,
    percentile,
    /**
     * Headless Chromium (playwright-core Browser), launched on first use and shared. Its
     * `newContext()` contexts are off the record: their storage lives in memory.
     */
    browser() {
      browserPromise ??= (async () => {
        const { chromium } = await import('playwright-core');
        log(`launching ${chromiumPath()}`);
        return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
      })();
      return browserPromise;
    },
    /**
     * A persistent browser context on a temporary on-disk profile (deleted at the end), as a
     * real profile stores IndexedDB: launched on first use and shared.
     */
    context() {
      contextPromise ??= (async () => {
        const { chromium } = await import('playwright-core');
        profileDir = mkdtempSync(path.join(tmpdir(), 'tend-bench-profile-'));
        log(`launching ${chromiumPath()} with an on-disk profile`);
        return chromium.launchPersistentContext(profileDir, { executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
      })();
      return contextPromise;
    },
    /** "Chromium 156" */
    async browserName() {
      const version = browserPromise ? (await ctx.browser()).version() : (await ctx.context()).browser()?.version() ?? chromiumVersion();
      return `Chromium ${version.split('.')[0]}`;
    },
    /** The static server (see startServer), started on first use and shared. */
    server() {
      serverPromise ??= startServer();
      return serverPromise;
    },
    /**
     * Bundles a browser-side entry (TypeScript, importing lib/) with Vite into an IIFE that
     * sets `globalThis[globalName]` to the entry's exports, and serves it. Returns its URL.
     */
    async bundle(entry, { name = path.basename(entry).replace(/\.[cm]?[jt]sx?$/, ''), globalName = 'Bench' } = {}) {
      const { build } = await import('vite');
      const dir = path.join(outDir, name);
      const started = performance.now();
      await build({
        configFile: false,
        root,
        logLevel: 'warn',
        publicDir: false,
        define: { 'process.env.NODE_ENV': JSON.stringify('production') },
        build: {
          outDir: dir,
          emptyOutDir: true,
          copyPublicDir: false,
          minify: false,
          sourcemap: false,
          reportCompressedSize: false,
          target: 'esnext',
          lib: { entry: path.resolve(root, entry), name: globalName, formats: ['iife'], fileName: () => `${name}.js` },
        },
      });
      log(`bundled ${entry} in ${Math.round(performance.now() - started)} ms`);
      const server = await ctx.server();
      server.mount(`/bundles/${name}/`, dir);
      return { file: path.join(dir, `${name}.js`), url: server.url(`/bundles/${name}/${name}.js`) };
    },
    /**
     * Opens a page on the static server that loads `scripts` in order. By default in the
     * on-disk persistent context (`ctx.context()`); `{ offTheRecord: true }` gives a fresh
     * in-memory context of `ctx.browser()` instead. Page and console errors go to stderr.
     */
    async openPage({ scripts = [], title = 'Tend bench', offTheRecord = false } = {}) {
      const server = await ctx.server();
      const pathname = `/page-${++pageCount}.html`;
      server.route(pathname, `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${scripts.map((s) => `<script src="${s}"></script>`).join('')}</head><body></body></html>`);
      const context = offTheRecord ? await (await ctx.browser()).newContext() : await ctx.context();
      const page = await context.newPage();
      page.on('pageerror', (e) => log(`page error: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && log(`console: ${m.text()}`));
      await page.goto(server.url(pathname));
      return page;
    },
  };
  return {
    ctx,
    async close() {
      if (browserPromise) await (await browserPromise.catch(() => null))?.close().catch(() => {});
      if (contextPromise) await (await contextPromise.catch(() => null))?.close().catch(() => {});
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
      if (serverPromise) await (await serverPromise.catch(() => null))?.close();
    },
  };
}

// ------------------------------------------------------------------------------ run

async function main() {
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.mjs'))
    .map((f) => ({ file: f, name: f.slice(0, -'.bench.mjs'.length) }))
    .filter(({ name }) => !only.length || only.some((o) => name.includes(o)));
  if (!files.length) {
    console.error(`no benchmark matches ${only.join(', ')}; available: ${readdirSync(benchDir).filter((f) => f.endsWith('.bench.mjs')).map((f) => f.slice(0, -10)).join(', ')}`);
    process.exitCode = 1;
    return;
  }
  const modules = [];
  for (const f of files) modules.push({ ...f, mod: await import(pathToFileURL(path.join(benchDir, f.file)).href) });
  modules.sort((a, b) => (a.mod.order ?? 100) - (b.mod.order ?? 100) || a.name.localeCompare(b.name));

  mkdirSync(outDir, { recursive: true });
  const { ctx, close } = makeContext();
  const started = performance.now();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`Tend benchmarks · ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · Node ${process.versions.node} · ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}) · load ${load}\n`);
  let failed = 0;
  try {
    for (const { name, mod } of modules) {
      log(`${name}: ${mod.title ?? ''}`);
      const t0 = performance.now();
      try {
        const sections = (await mod.run(ctx)) ?? [];
        for (const s of sections) {
          printSection(s);
          console.log('');
        }
        log(`${name} took ${(Math.round(performance.now() - t0) / 1000).toFixed(1)} s`);
      } catch (e) {
        failed++;
        console.log(`${name}: could not run: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    }
  } finally {
    await close();
  }
  log(`done in ${(Math.round(performance.now() - started) / 1000).toFixed(1)} s`);
  // Figures, not tests: a missed goal is reported above; only a benchmark that failed to run fails.
  process.exitCode = failed ? 1 : 0;
}

await main();
