/**
 * The dashboard and the popup in real Chromium with the extension loaded, on a database of
 * 20,000 threads and 100,000 endorsements (plus claims and done), brought in through the
 * dashboard's own import: time from navigation start to the queue's first rows painted, and
 * to the popup's lists painted, each in a fresh tab.
 *
 *     npm run bench -- dashboard [--threads=20000] [--endorsements=100000] [--rounds=5] [--profile=DIR] [--cold]
 *
 * `--profile=DIR` keeps the browser profile in DIR: the first run seeds it, later runs with
 * the same sizes reuse the seeded database (seeding takes minutes) with whatever build is current.
 * `--cold` stops the extension's service worker before each page is opened, as the browser
 * does after half a minute idle: the page then opens while the worker starts again.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const title = 'Dashboard and popup on a large database (real Chromium)';
export const order = 40;

const GOAL_QUEUE_MS = 300;
const GOAL_POPUP_MS = 150;
const DAY = 24 * 3_600_000;
const CHUNK = 1_000;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function base32(n, width) {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

/** A small seeded random source, so every run seeds the same data. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Accepted ops as a team server would hand them over: observations of `threads` questions on
 * four forums over twelve weeks, claims (half of them done) and `endorsements` thanks, 40 % with
 * a note, in accepted order with op ids and clocks that sort with it.
 */
export function generateOps({ threads, endorsements, now = Date.now() }) {
  const rand = rng(42);
  const pick = (n) => Math.floor(rand() * n);
  const sites = ['https://forum-a.example.test', 'https://forum-b.example.test', 'https://forum-c.example.test', 'https://forum-d.example.test'];
  const actors = Array.from({ length: 30 }, (_, i) => `member${i}`);
  const start = now - 84 * DAY;
  const raw = [];
  for (let i = 0; i < threads; i++) {
    const at = start + Math.floor((i / threads) * 84 * DAY);
    const site = sites[i % sites.length];
    raw.push({ at, op: { type: 'observe', thread: { site, threadId: String(i) }, fields: { title: `Question ${i}: something does not work as expected`, url: `${site}/t/${i}`, replies: pick(12), answered: rand() < 0.15, createdAt: at - pick(3 * DAY), category: `Category ${i % 5}`, tags: [`tag${i % 7}`] } } });
    if (i % 7 === 0) {
      const actor = actors[pick(actors.length)];
      const claimAt = at + pick(2 * DAY);
      raw.push({ at: claimAt, op: { type: 'claim', thread: { site, threadId: String(i) } }, actor });
      if (i % 14 === 0) raw.push({ at: claimAt + pick(DAY / 2) + 1, op: { type: 'resolve', thread: { site, threadId: String(i) }, epoch: 1 }, actor });
    }
  }
  for (let i = 0; i < endorsements; i++) {
    const t = pick(threads);
    const at = start + Math.floor(rand() * 84 * DAY);
    raw.push({
      at,
      op: { type: 'endorse', post: { site: sites[t % sites.length], threadId: String(t), postId: String(2 + pick(20)) }, author: `person${pick(2000)}`, viewer: null, ...(rand() < 0.4 ? { note: `Thanks for the clear steps, number ${i}` } : {}) },
    });
  }
  raw.sort((a, b) => a.at - b.at);
  return raw.map((r, i) => ({
    ...r.op,
    v: 1,
    id: base32(r.at, 10) + base32(i, 16),
    hlc: `${String(r.at).padStart(13, '0')}:00000:bench`,
    actor: r.actor ?? actors[i % actors.length],
    seq: i + 1,
    at: Math.min(r.at, now),
  }));
}

/** Records, in every page, when `selector` first matches and the frame after it is painted. */
function paintProbe() {
  const watch = (selector, name) => {
    const check = () => {
      if (!document.querySelector(selector)) return false;
      const seen = performance.now();
      requestAnimationFrame(() => setTimeout(() => (globalThis[name] = { seen, painted: performance.now() }), 0));
      return true;
    };
    const mo = new MutationObserver(() => check() && mo.disconnect());
    addEventListener('DOMContentLoaded', () => check() || mo.observe(document.body, { childList: true, subtree: true }));
  };
  if (location.pathname.endsWith('/dashboard.html')) watch('.qbody [role="row"]', '__queuePainted');
  if (location.pathname.endsWith('/popup.html')) watch('.card.lists [role="tabpanel"]', '__popupPainted');
}

export async function run(ctx) {
  const { fmt, median } = ctx;
  const threads = ctx.option('threads', 20_000);
  const endorsements = ctx.option('endorsements', 100_000);
  const rounds = ctx.option('rounds', 5);
  const cold = ctx.options.cold === 'true';
  const buildDir = path.join(ctx.root, '.output', 'chrome-mv3-test');
  if (!existsSync(path.join(buildDir, 'manifest.json'))) {
    ctx.log('building the extension (test build)');
    execFileSync('npm', ['run', 'build:test'], { cwd: ctx.root, stdio: 'ignore' });
  }
  const kept = ctx.options.profile ? path.resolve(ctx.options.profile) : null;
  if (kept) mkdirSync(kept, { recursive: true });
  const profile = kept ?? mkdtempSync(path.join(tmpdir(), 'tend-dashboard-profile-'));
  const marker = path.join(profile, 'tend-bench-seeded.json');
  const seededBefore = kept && existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : null;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.TEND_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [`--disable-extensions-except=${buildDir}`, `--load-extension=${buildDir}`, '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
    const origin = worker.url().split('/').slice(0, 3).join('/');
    // The database belongs to the extension's id, which Chromium derives from the build's path:
    // a profile seeded from another checkout holds nothing for this one.
    const reuse = seededBefore?.threads === threads && seededBefore?.endorsements === endorsements && seededBefore?.origin === origin;
    await context.addInitScript(paintProbe);

    // From a page of the extension that runs none of Tend's code (no page re-reading as it goes).
    const seeder = await context.newPage();
    await seeder.goto(`${origin}/manifest.json`);
    let seedMs = seededBefore?.seedMs ?? 0;
    if (reuse) ctx.log(`reusing the database seeded in ${profile}`);
    else {
      if (kept) rmSync(marker, { force: true });
      const ops = generateOps({ threads, endorsements });
      ctx.log(`seeding ${fmt.int(ops.length)} ops through the import (${Math.ceil(ops.length / CHUNK)} requests)`);
      const seedStart = Date.now();
      for (let i = 0; i < ops.length; i += CHUNK) {
        const reply = await seeder.evaluate((chunk) => chrome.runtime.sendMessage({ tend: 1, request: { type: 'data.import', chunk: { ops: chunk } } }), ops.slice(i, i + CHUNK));
        if (!reply?.ok) throw new Error(`import failed at op ${i}: ${JSON.stringify(reply)}`);
        if (i % (20 * CHUNK) === 0) ctx.log(`  ${fmt.int(i + CHUNK)} ops in ${fmt.ms(Date.now() - seedStart)}`);
      }
      seedMs = Date.now() - seedStart;
      if (kept) writeFileSync(marker, JSON.stringify({ threads, endorsements, origin, seedMs, at: new Date().toISOString() }));
    }
    const counts = await seeder.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('tend');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(['ops', 'threads', 'endorsements', 'aggregates']);
            const out = {};
            let left = 4;
            for (const name of ['ops', 'threads', 'endorsements', 'aggregates']) {
              const r = tx.objectStore(name).count();
              r.onsuccess = () => {
                out[name] = r.result;
                if (--left === 0) {
                  db.close();
                  resolve(out);
                }
              };
            }
          };
        }),
    );
    await seeder.close();

    // Stops the worker through the DevTools protocol, from a page of the extension kept for it.
    let stopWorker = async () => undefined;
    if (cold) {
      const control = await context.newPage();
      await control.goto(`${origin}/manifest.json`);
      const cdp = await context.newCDPSession(control);
      await cdp.send('ServiceWorker.enable');
      stopWorker = async () => {
        await cdp.send('ServiceWorker.stopAllWorkers');
        await new Promise((resolve) => setTimeout(resolve, 300));
      };
    }

    const measure = async (pathname, probe) => {
      await stopWorker();
      const page = await context.newPage();
      await page.goto(`${origin}/${pathname}`);
      await page.waitForFunction((name) => globalThis[name], probe, { timeout: 30_000 });
      const r = await page.evaluate((name) => globalThis[name], probe);
      const rows = pathname.startsWith('dashboard') ? await page.evaluate(() => document.querySelectorAll('.qbody [role="row"]').length) : 0;
      let completeMs = null;
      if (pathname.startsWith('dashboard')) {
        await page.waitForFunction(() => /questions nobody holds/.test(document.querySelector('.queue-view [role="status"]')?.textContent ?? ''), null, { timeout: 60_000 });
        completeMs = await page.evaluate(() => performance.now());
      }
      await page.close();
      return { ...r, rows, completeMs };
    };
    // Warm-up (the worker, the disk cache), not counted.
    await measure('dashboard.html', '__queuePainted');
    await measure('popup.html', '__popupPainted');
    const queue = [];
    const popup = [];
    for (let i = 0; i < rounds; i++) {
      ctx.log(`round ${i + 1}/${rounds}`);
      queue.push(await measure('dashboard.html', '__queuePainted'));
      popup.push(await measure('popup.html', '__popupPainted'));
    }
    // Scrolling the whole queue, a screen every 50 ms, to the end and back: tasks over 50 ms.
    ctx.log('scrolling the queue');
    const scrolling = await (async () => {
      const page = await context.newPage();
      await page.goto(`${origin}/dashboard.html`);
      await page.waitForFunction(() => /questions nobody holds/.test(document.querySelector('.queue-view [role="status"]')?.textContent ?? ''), null, { timeout: 60_000 });
      const r = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const long = [];
            const obs = new PerformanceObserver((list) => list.getEntries().forEach((e) => long.push(e.duration)));
            obs.observe({ type: 'longtask' });
            const el = document.querySelector('.qscroll');
            let down = true;
            let steps = 0;
            const step = () => {
              steps++;
              const max = el.scrollHeight - el.clientHeight;
              el.scrollTop += (down ? 1 : -1) * el.clientHeight * 0.9;
              if (down && el.scrollTop >= max - 1) down = false;
              else if (!down && el.scrollTop <= 0) {
                // Long tasks are reported after they end.
                return setTimeout(() => (obs.disconnect(), resolve({ long, steps, rows: document.querySelectorAll('.qbody [role="row"]').length })), 200);
              }
              setTimeout(step, 50);
            };
            step();
          }),
      );
      await page.close();
      return r;
    })();
    const q = median(queue.map((r) => r.painted));
    const p = median(popup.map((r) => r.painted));
    const all = (xs, key) => xs.map((r) => Math.round(r[key])).join(', ');
    return [
      {
        title: `Dashboard and popup (${fmt.int(counts.threads)} threads, ${fmt.int(counts.endorsements)} endorsements, ${fmt.int(counts.ops)} ops; median of ${rounds}, fresh tab each${cold ? ', worker stopped before each' : ''})`,
        rows: [
          ['', 'median', 'all rounds', 'goal', ''],
          ['navigation start → queue’s first rows painted', fmt.ms(q), `${all(queue, 'painted')} ms`, `≤ ${GOAL_QUEUE_MS} ms`, fmt.check(q <= GOAL_QUEUE_MS)],
          ['navigation start → whole queue read and shown', fmt.ms(median(queue.map((r) => r.completeMs))), `${all(queue, 'completeMs')} ms`],
          ['navigation start → popup’s lists painted', fmt.ms(p), `${all(popup, 'painted')} ms`, `≤ ${GOAL_POPUP_MS} ms`, fmt.check(p <= GOAL_POPUP_MS)],
          ['queue rows in the DOM (virtualised)', String(queue[0]?.rows ?? 0), `${scrolling.rows} after scrolling`],
          [
            `tasks over 50 ms while scrolling the whole queue to the end and back (${fmt.int(scrolling.steps)} steps)`,
            String(scrolling.long.length),
            scrolling.long.length ? `longest ${fmt.ms(Math.max(...scrolling.long))}` : '',
            'none',
            fmt.check(scrolling.long.length === 0),
          ],
        ],
        notes: [
          `seeded through the dashboard's import (data.import, ${CHUNK} ops a request) in ${fmt.ms(seedMs)}${reuse ? ` (in an earlier run, ${seededBefore.at}; profile ${profile})` : ''}; ${fmt.int(counts.aggregates)} weekly aggregate rows kept on the way`,
          'painted: the first frame after the element appeared (MutationObserver, then requestAnimationFrame + a task), from performance.timeOrigin',
        ],
      },
    ];
  } finally {
    await context.close();
    if (!kept) rmSync(profile, { recursive: true, force: true });
  }
}
