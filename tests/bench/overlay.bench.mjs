/**
 * Overlays in real Chromium with the extension loaded, on a 1,000-post Discourse topic, a
 * GitHub issue with 500 comments and a Stack Overflow question with 100 answers (each served
 * under its real host name): main-thread time spent mounting and the time until every overlay
 * is in the page, side by side with a baseline that inserts the same number of plain elements
 * where Tend puts its controls (the same page on another host, without Tend, with a page script
 * doing the inserts); the longest task of each. Tend gives every post its place at once and draws
 * controls only near the window, so "in the page" counts places and "first screen" counts posts
 * in the first window with their controls drawn.
 *
 * Then, on the 1,000-post topic, where the reader is: the longest task Tend takes part in (Long
 * Animation Frames, with script attribution to the content script) on load and during a scripted
 * scroll to the end and back; layout shift (layout-shift entries) with Tend, with the plain
 * baseline and with nothing added; interaction to next paint (Event Timing) of "This helped" and
 * of "I'll handle this" / "Release"; and the JavaScript heap after the scroll, against the same
 * page without Tend (after garbage collection; content scripts share the page's heap). Then every
 * content-script bundle's size, raw and gzipped, by the site it runs on.
 *
 *     npm run bench -- overlay [--posts=1000] [--comments=500] [--answers=100] [--rounds=3]
 *     TEND_BENCH_DEBUG=1 npm run bench -- overlay     also prints what the longest tasks spent their time on
 *     npm run bench -- overlay --only=reader           only the reader's view of the 1,000-post topic
 *     TEND_BENCH_BUILD=DIR npm run bench -- overlay    measures another test build (an earlier version)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const title = 'Overlays on a Discourse topic, a GitHub issue and a Stack Overflow question, and content-script bundle sizes';
export const order = 20;

const GOAL_RATIO = 3;
const GOAL_VIEW_RATIO = 1.5;
const GOAL_SHIFT = 0;
const GOAL_INP_MS = 50;
const GOAL_HEAP_MB = 10;
const GOAL_TASK_MS = 50;
const GOAL_GZIP_KB = 25;
const BASELINE_HOST = 'baseline.example.test';

/** Loads a TypeScript page generator the e2e tests use (`tests/fixtures/<name>/generate.ts`), compiled on the fly. */
async function loadGenerator(root, outDir, name) {
  const { transform } = await import('esbuild');
  const src = readFileSync(path.join(root, `tests/fixtures/${name}/generate.ts`), 'utf8');
  const { code } = await transform(src, { loader: 'ts', format: 'esm' });
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${name}-generate.mjs`);
  writeFileSync(file, code);
  return import(pathToFileURL(file).href);
}

/** The site a content-script bundle runs on, for the table. */
const BUNDLE_SITES = { 'content.js': 'Discourse and described forums', 'github.js': 'GitHub', 'stackexchange.js': 'Stack Exchange', 'reddit.js': 'Reddit' };

function selfSignedCert(dir) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=tend-bench'], { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/**
 * Runs in the page (main world): records when the first element appears and when the expected
 * number are rendered (for Tend, an overlay counts once its shadow root has its button: the
 * bench uses the test build, whose shadow roots are open), checking once per frame.
 */
const OBSERVER = ({ selector, expected }) => {
  const marks = { dcl: 0, done: 0, first: 0, view: 0 };
  document.addEventListener('DOMContentLoaded', () => (marks.dcl = performance.now()));
  const rendered = (el) => !el.shadowRoot || el.shadowRoot.querySelector('button, .tend-chip') !== null;
  const tick = () => {
    const all = document.querySelectorAll(selector);
    if (all.length && !marks.first) marks.first = performance.now();
    // The first screen: every overlay (place) that starts inside the window has its controls.
    if (all.length && !marks.view) {
      let ok = true;
      for (const el of all) {
        if (el.getBoundingClientRect().top >= innerHeight) break;
        if (!rendered(el)) ok = false;
      }
      if (ok) setTimeout(() => (marks.view = performance.now()), 0);
    }
    if (all.length >= expected && marks.view) {
      // After this frame's style, layout and paint, which run once this callback returns.
      setTimeout(() => (marks.done = performance.now()), 0);
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  globalThis.__tendBench = marks;
};

/** The baseline: at document idle, one plain element per post in the place Tend uses (`where`: inside it, first or last). */
const BASELINE = ({ anchors, where }) => {
  const run = () => {
    for (const area of document.querySelectorAll(anchors)) {
      const el = document.createElement('span');
      el.className = 'plain-overlay';
      const b = document.createElement('button');
      b.textContent = '♡ This helped';
      el.append(b);
      if (where === 'prepend') area.prepend(el);
      else area.append(el);
    }
  };
  document.addEventListener('DOMContentLoaded', () => setTimeout(run, 0));
};

/** Main-thread task durations of the page's renderer between two trace timestamps. */
function mainThreadTasks(events, fromUs, toUs) {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return { busyMs: NaN, longestMs: NaN, count: 0 };
  // Several renderers (the service worker, other pages) may exist: take the one with the most tasks in the window.
  const byPid = new Map();
  for (const e of events) {
    if (e.name !== 'RunTask' || e.ph !== 'X' || e.ts + e.dur < fromUs || e.ts > toUs) continue;
    const key = `${e.pid}:${e.tid}`;
    const list = byPid.get(key) ?? [];
    list.push(e);
    byPid.set(key, list);
  }
  const mainThreads = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  let best = [];
  for (const [key, list] of byPid) if (mainThreads.has(key) && list.length > best.length) best = list;
  if (process.env.TEND_BENCH_DEBUG) {
    const longest = best.reduce((a, e) => (e.dur > (a?.dur ?? 0) ? e : a), null);
    if (longest) {
      const kids = events.filter((e) => e.pid === longest.pid && e.tid === longest.tid && e.ts >= longest.ts && e.ts <= longest.ts + longest.dur && e !== longest);
      const agg = {};
      for (const k of kids) if (k.dur) agg[k.name] = (agg[k.name] ?? 0) + k.dur / 1000;
      console.error('[overlay] longest task (ms) and its parts:', longest.dur / 1000, Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 8));
      const tops = best.sort((a, b) => b.dur - a.dur).slice(0, 5).map((e) => Math.round(e.dur / 1000));
      console.error('[overlay] five longest tasks (ms):', tops, 'count', best.length);
    }
  }
  const clipped = best.map((e) => (Math.min(e.ts + e.dur, toUs) - Math.max(e.ts, fromUs)) / 1000);
  return { busyMs: clipped.reduce((a, b) => a + b, 0), longestMs: Math.max(0, ...best.map((e) => e.dur / 1000)), count: best.length };
}

async function measure(context, url, selector, expected, baseline) {
  const page = await context.newPage();
  await page.addInitScript(OBSERVER, { selector, expected });
  if (baseline) await page.addInitScript(BASELINE, baseline);
  const cdp = await context.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,__metadata', transferMode: 'ReportEvents' });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => globalThis.__tendBench?.done > 0, null, { timeout: 60_000, polling: 50 });
  const marks = await page.evaluate(() => ({ ...globalThis.__tendBench, origin: performance.timeOrigin }));
  await page.waitForTimeout(200);
  await cdp.send('Tracing.end');
  await done;
  // Trace timestamps are µs on the monotonic clock; performance.now() is ms from timeOrigin (wall clock).
  // Align them through the navigation's DOMContentLoaded mark in the trace.
  const dclEvent = events.find((e) => e.name === 'MarkDOMContent' || e.name === 'domContentLoadedEventStart');
  const startUs = dclEvent ? dclEvent.ts - marks.dcl * 1000 : undefined;
  const doneUs = startUs + marks.done * 1000;
  // From the start of navigation for both sides: what the page does itself in that window is
  // the same on both, so the difference is the cost of adding the elements. (Tend starts with
  // the page and puts its first overlays in while the page is parsed, the baseline at document
  // idle: a window opening at DOMContentLoaded would leave Tend's early work out.)
  const tasks = startUs ? mainThreadTasks(events, startUs, doneUs) : { busyMs: NaN, longestMs: NaN, count: 0 };
  const count = await page.evaluate((s) => document.querySelectorAll(s).length, selector);
  await page.close();
  return { visibleMs: marks.done, viewMs: marks.view, busyMs: tasks.busyMs, longestMs: tasks.longestMs, tasks: tasks.count, count };
}

export async function run(ctx) {
  const { fmt } = ctx;
  const posts = ctx.option('posts', 1000);
  const comments = ctx.option('comments', 500);
  const answers = ctx.option('answers', 100);
  const rounds = ctx.option('rounds', 3);
  // The test build: the same code with open shadow roots, so the page can tell when each
  // overlay has rendered. (It also grants test hosts; nothing else differs.)
  // TEND_BENCH_BUILD: another test build to measure (an earlier version, for before and after).
  const buildDir = process.env.TEND_BENCH_BUILD ?? path.join(ctx.root, '.output', 'chrome-mv3-test');
  if (!existsSync(path.join(buildDir, 'manifest.json'))) {
    ctx.log('building the extension (test build)');
    execFileSync('npm', ['run', 'build:test'], { cwd: ctx.root, stdio: 'ignore' });
  }
  const out = path.join(ctx.outDir, 'overlay');
  const discourse = await loadGenerator(ctx.root, out, 'discourse');
  const github = await loadGenerator(ctx.root, out, 'github');
  const stackexchange = await loadGenerator(ctx.root, out, 'stackexchange');
  const scenarios = [
    {
      name: `a ${fmt.int(posts)}-post Discourse topic`,
      host: 'meta.discourse.org',
      path: '/t/benchmark-topic/7000',
      expected: posts,
      html: discourse.discourseTopicPage({ topicId: 7000, title: 'Benchmark topic', posts, viewer: 'bob' }),
      baseline: { anchors: 'article[id^="post_"] section.post-menu-area', where: 'append' },
    },
    {
      name: `a GitHub issue with ${fmt.int(comments)} comments`,
      host: 'github.com',
      path: '/tend-demo/widgets/issues/7000',
      // The opening post and every comment.
      expected: comments + 1,
      html: github.githubIssueReact({ owner: 'tend-demo', repo: 'widgets', number: 7000, title: 'Benchmark issue', author: 'octo-ada', state: 'open', id: 7000, comments: github.ghComments(comments) }, { viewer: 'brook' }),
      baseline: { anchors: '[data-testid="comment-header-right-side-items"], [class*="IssueBodyHeader-module__actionsWrapper"]', where: 'prepend' },
    },
    {
      name: `a Stack Overflow question with ${fmt.int(answers)} answers`,
      host: 'stackoverflow.com',
      path: '/questions/7000/benchmark-question',
      expected: answers + 1,
      html: stackexchange.questionPage({ id: 7000, title: 'Benchmark question', author: stackexchange.ADA, tags: ['bench'], answers: stackexchange.seAnswers(answers, 90_000_000, true) }, { viewer: stackexchange.GRACE }),
      baseline: { anchors: '.js-post-menu', where: 'append' },
    },
  ];

  const tmp = mkdtempSync(path.join(tmpdir(), 'tend-overlay-bench-'));
  const server = createServer(selfSignedCert(tmp), (req, res) => {
    const page = scenarios.find((sc) => req.url?.startsWith(sc.path));
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page ? page.html : 'not found');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;

  const profile = mkdtempSync(path.join(tmpdir(), 'tend-overlay-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.TEND_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 900 },
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      `--disable-extensions-except=${buildDir}`,
      `--load-extension=${buildDir}`,
      `--host-resolver-rules=${[...scenarios.map((sc) => sc.host), BASELINE_HOST].map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`,
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  try {
    if (!context.serviceWorkers().length) await context.waitForEvent('serviceworker', { timeout: 20_000 });
    const sections = [];
    const only = ctx.options.only;
    for (const sc of only === 'reader' ? [] : scenarios) {
      const results = { tend: [], baseline: [] };
      const tendUrl = `https://${sc.host}:${port}${sc.path}`;
      const baseUrl = `https://${BASELINE_HOST}:${port}${sc.path}`;
      // Warm-up (the worker's database, caches), not counted.
      await measure(context, tendUrl, 'tend-overlay[data-tend-kind="post"]', sc.expected);
      for (let i = 0; i < rounds; i++) {
        ctx.log(`overlays on ${sc.name}: round ${i + 1}/${rounds}`);
        results.tend.push(await measure(context, tendUrl, 'tend-overlay[data-tend-kind="post"]', sc.expected));
        results.baseline.push(await measure(context, baseUrl, '.plain-overlay', sc.expected, sc.baseline));
      }
      const m = (side, key) => ctx.median(results[side].map((r) => r[key]));
      const busyRatio = m('tend', 'busyMs') / m('baseline', 'busyMs');
      const visRatio = m('tend', 'visibleMs') / m('baseline', 'visibleMs');
      const viewRatio = m('tend', 'viewMs') / m('baseline', 'viewMs');
      const longest = Math.max(...results.tend.map((r) => r.longestMs));
      sections.push(section(ctx, sc.name, results, { busyRatio, visRatio, viewRatio, longest, m }));
    }

    const topic = scenarios[0];
    sections.push(
      ...(await reader(ctx, context, {
        tendUrl: `https://${topic.host}:${port}${topic.path}`,
        baseUrl: `https://${BASELINE_HOST}:${port}${topic.path}`,
        baseline: topic.baseline,
        rounds: ctx.option('reader-rounds', 2),
        clicks: ctx.option('clicks', 10),
      })),
    );

    // Bundle sizes of every content script in the shipped builds, by the site it runs on.
    const rows = [['bundle', 'runs on', 'raw', 'gzipped', 'goal', '']];
    for (const browser of ['chrome-mv3', 'firefox-mv3']) {
      const dir = path.join(ctx.root, '.output', browser, 'content-scripts');
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
        const buf = readFileSync(path.join(dir, f));
        const gz = gzipSync(buf, { level: 9 }).length;
        rows.push([`${browser}/content-scripts/${f}`, BUNDLE_SITES[f] ?? '', fmt.bytes(statSync(path.join(dir, f)).size), fmt.bytes(gz), `≤ ${GOAL_GZIP_KB} KB`, fmt.check(gz <= GOAL_GZIP_KB * 1024)]);
      }
    }
    return [...sections, { title: 'Content-script bundles (shipped builds; `npm run build` first): each platform loads only its own', rows }];
  } finally {
    await context.close();
    server.close();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

function section(ctx, name, results, { busyRatio, visRatio, viewRatio, longest, m }) {
  const { fmt } = ctx;
  const all = (side, key) => results[side].map((r) => fmt.ms(r[key])).join(', ');
  return {
    title: `Overlays on ${name} (${results.tend[0]?.count ?? 0} mounted; median of ${results.tend.length})`,
    rows: [
      ['', 'Tend', 'baseline', 'ratio', 'goal', ''],
      ['main-thread time, navigation → all rendered', fmt.ms(m('tend', 'busyMs')), fmt.ms(m('baseline', 'busyMs')), fmt.times(busyRatio), `≤ ${GOAL_RATIO}×`, fmt.check(busyRatio <= GOAL_RATIO)],
      ['time until the first screen’s overlays are drawn (from navigation)', fmt.ms(m('tend', 'viewMs')), fmt.ms(m('baseline', 'viewMs')), fmt.times(viewRatio), `≤ ${GOAL_VIEW_RATIO}×`, fmt.check(viewRatio <= GOAL_VIEW_RATIO)],
      ['time until every overlay has its place in the page', fmt.ms(m('tend', 'visibleMs')), fmt.ms(m('baseline', 'visibleMs')), fmt.times(visRatio), `≤ ${GOAL_RATIO}×`, fmt.check(visRatio <= GOAL_RATIO)],
      ['longest main-thread task in that window', fmt.ms(longest), fmt.ms(Math.max(...results.baseline.map((r) => r.longestMs))), '', `≤ ${GOAL_TASK_MS} ms`, fmt.check(longest <= GOAL_TASK_MS)],
    ],
    notes: [
      `Tend rounds: busy ${all('tend', 'busyMs')}; first screen ${all('tend', 'viewMs')}; in page ${all('tend', 'visibleMs')}`,
      `baseline rounds: busy ${all('baseline', 'busyMs')}; first screen ${all('baseline', 'viewMs')}; in page ${all('baseline', 'visibleMs')}`,
      'baseline: the same page on another host (no Tend), a page script that puts a plain <span><button> where Tend puts its control on each post, at document idle, in one task',
      'main-thread time and longest task: RunTask durations on the page renderer main thread (Chromium trace), from the start of navigation until every place is in the page and the first screen is drawn (checked each frame)',
    ],
  };
}

/**
 * Runs in the page (main world) from the start: records layout shifts, long animation frames
 * (with how long the content script's own scripts ran in each) and interactions.
 */
const PERF = () => {
  const perf = { shifts: [], frames: [], events: [] };
  const tend = (url) => typeof url === 'string' && url.startsWith('chrome-extension://');
  const watch = (type, fn, extra = {}) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(fn)).observe({ type, buffered: true, ...extra });
    } catch {
      // Not in this browser.
    }
  };
  const describe = (n) => (n ? `${n.localName ?? '#text'}${n.id ? `#${n.id}` : ''}${n.className && typeof n.className === 'string' ? `.${n.className.split(' ')[0]}` : ''}` : '?');
  watch('layout-shift', (e) => !e.hadRecentInput && perf.shifts.push({ at: e.startTime, value: e.value, sources: (e.sources ?? []).map((s) => `${describe(s.node)} ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)} h${Math.round(s.currentRect.height)}`) }));
  watch('long-animation-frame', (e) => {
    const scripts = e.scripts ?? [];
    const mine = scripts.filter((s) => tend(s.sourceURL));
    perf.frames.push({ at: e.startTime, duration: e.duration, blocking: e.blockingDuration, tendMs: mine.reduce((a, s) => a + s.duration, 0), longestTendScript: Math.max(0, ...mine.map((s) => s.duration)) });
  });
  watch('event', (e) => e.interactionId && perf.events.push({ id: e.interactionId, name: e.name, at: e.startTime, duration: e.duration }), { durationThreshold: 16 });
  watch('paint', (e) => e.name === 'first-contentful-paint' && (perf.fcp = e.startTime));
  new MutationObserver((records, mo) => {
    for (const r of records) for (const n of r.addedNodes) if (n.localName === 'tend-overlay' || n.className === 'plain-overlay') {
      perf.firstInsert = performance.now();
      return mo.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
  globalThis.__tendPerf = perf;
};

/** Scrolls the window to the end and back, a screen at a time, as a reader flicking through. */
async function scrollThrough(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const started = performance.now();
        let down = true;
        const step = () => {
          const max = document.documentElement.scrollHeight - innerHeight;
          if (down) {
            scrollBy(0, innerHeight * 0.9);
            if (scrollY >= max - 1) down = false;
          } else {
            scrollBy(0, -innerHeight * 0.9);
            if (scrollY <= 0) return resolve({ from: started, to: performance.now() });
          }
          setTimeout(step, 50);
        };
        step();
      }),
  );
}

/** JavaScript heap in use after garbage collection (CDP), in bytes. */
async function heapUsed(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/**
 * Tasks on the page's main thread in which the content script ran (a trace event of a script
 * from the extension inside the task), between two trace timestamps: their count and the longest.
 */
function tendTasks(events, fromUs, toUs) {
  const mains = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (!mains.has(key) || e.ph !== 'X') continue;
    let t = byThread.get(key);
    if (!t) byThread.set(key, (t = { tasks: [], tend: [] }));
    if (e.name === 'RunTask' && e.ts + e.dur >= fromUs && e.ts <= toUs) t.tasks.push(e);
    const url = e.args?.data?.url ?? e.args?.data?.scriptName ?? e.args?.data?.sourceURL;
    if (typeof url === 'string' && url.startsWith('chrome-extension://')) t.tend.push(e);
  }
  for (const t of byThread.values()) t.tend.sort((a, b) => a.ts - b.ts);
  let best = { count: 0, longestMs: 0, longestPartMs: 0, all: [] };
  for (const { tasks, tend } of byThread.values()) {
    const mine = tasks.filter((task) => tend.some((x) => x.ts >= task.ts && x.ts < task.ts + task.dur));
    // Tend's part of a task: the time its scripts ran, with the style and layout they forced
    // (nested in them), not the frame's own rendering that may follow in the same task.
    const part = (task) => {
      let total = 0;
      let end = 0;
      for (const x of tend) {
        if (x.ts < task.ts || x.ts >= task.ts + task.dur) continue;
        const from = Math.max(x.ts, end);
        const to = x.ts + (x.dur ?? 0);
        if (to > from) total += to - from;
        end = Math.max(end, to);
      }
      return total / 1000;
    };
    if (mine.length > best.count) best = { count: mine.length, longestMs: Math.max(...mine.map((x) => x.dur / 1000)), longestPartMs: Math.max(...mine.map(part)), all: mine.map((x) => x.dur / 1000) };
    if (process.env.TEND_BENCH_DEBUG && mine.length) {
      for (const longest of [...mine].sort((a, b) => b.dur - a.dur).slice(0, 3)) {
        const agg = {};
        for (const k of events) {
          if (k.pid !== longest.pid || k.tid !== longest.tid || k === longest || !k.dur || k.ts < longest.ts || k.ts > longest.ts + longest.dur) continue;
          const url = k.args?.data?.url ?? '';
          const name = `${k.name}${url ? ` ${url.split('/').pop()}` : ''}${k.args?.data?.functionName ? ` ${k.args.data.functionName}` : ''}`;
          agg[name] = (agg[name] ?? 0) + k.dur / 1000;
        }
        console.error(`[reader] Tend task ${Math.round(longest.dur / 1000)} ms:`, Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('; '));
      }
    }
  }
  return best;
}

/** One load of the 1,000-post topic: load, first screen, scroll to the end and back, heap. */
async function readerRound(context, url, { tend, baseline }) {
  const page = await context.newPage();
  await page.addInitScript(PERF);
  const cdp = await context.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const traced = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,__metadata', transferMode: 'ReportEvents' });
  const selector = tend ? 'tend-overlay[data-tend-kind="post"]' : '.plain-overlay';
  await page.addInitScript(OBSERVER, { selector, expected: 1 });
  if (baseline) await page.addInitScript(BASELINE, baseline);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  if (tend || baseline) await page.waitForFunction(() => globalThis.__tendBench?.done > 0, null, { timeout: 60_000, polling: 50 });
  else await page.waitForTimeout(500);
  await page.waitForTimeout(1_000);
  const loaded = await page.evaluate(() => (console.timeStamp('tend-bench-scroll'), performance.now()));
  const range = await scrollThrough(page);
  await page.waitForTimeout(1_000);
  await page.evaluate(() => console.timeStamp('tend-bench-end'));
  const perf = await page.evaluate(() => globalThis.__tendPerf);
  if (process.env.TEND_BENCH_DEBUG) for (const e of perf.shifts) console.error(`[reader] ${tend ? 'tend' : baseline ? 'baseline' : 'bare'} shift at ${e.at.toFixed(0)} ms: ${e.value.toFixed(4)} ${e.sources.join('; ')}`);
  await cdp.send('Tracing.end');
  await traced;
  await cdp.detach();
  const heap = await heapUsed(context, page);
  await page.close();
  const stamp = (name) => events.find((e) => e.name === 'TimeStamp' && e.args?.data?.message === name)?.ts;
  const nav = events.find((e) => e.name === 'navigationStart' || e.name === 'MarkDOMContent')?.ts ?? 0;
  const tasks = { load: tendTasks(events, nav, stamp('tend-bench-scroll') ?? Infinity), scroll: tendTasks(events, stamp('tend-bench-scroll') ?? Infinity, stamp('tend-bench-end') ?? Infinity) };
  const phase = (from, to) => {
    const frames = perf.frames.filter((f) => f.at >= from && f.at < to);
    const withTend = frames.filter((f) => f.tendMs > 0);
    return {
      longestFrame: Math.max(0, ...frames.map((f) => f.duration)),
      longestTendFrame: Math.max(0, ...withTend.map((f) => f.duration)),
      longestTendScript: Math.max(0, ...withTend.map((f) => f.longestTendScript)),
      tendFrames: withTend.length,
    };
  };
  return {
    tasks,
    fcp: perf.fcp ?? NaN,
    firstInsert: perf.firstInsert ?? NaN,
    load: phase(0, loaded),
    scroll: phase(range.from, range.to + 1_000),
    shift: perf.shifts.reduce((a, e) => a + e.value, 0),
    shiftScroll: perf.shifts.filter((e) => e.at >= range.from).reduce((a, e) => a + e.value, 0),
    heap,
  };
}

/** Clicks a control inside an overlay as a person does: rest the pointer on it, then press. */
async function clickIn(page, hostSelector, buttonText, index = 0) {
  const box = await page.waitForFunction(
    ({ hostSelector, buttonText, index }) => {
      const host = document.querySelectorAll(hostSelector)[index];
      const b = [...(host?.shadowRoot?.querySelectorAll('button') ?? [])].find((x) => x.textContent.includes(buttonText) && !x.disabled);
      if (!b) return null;
      const r = b.getBoundingClientRect();
      return r.width ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
    },
    { hostSelector, buttonText, index },
    { timeout: 15_000, polling: 50 },
  );
  const { x, y } = await box.jsonValue();
  await page.mouse.move(x, y);
  await page.waitForTimeout(400);
  await page.mouse.down();
  await page.mouse.up();
}

/** Interaction to next paint of "This helped" and of claiming and releasing, `n` of each. */
async function interactions(context, url, n) {
  const page = await context.newPage();
  await page.addInitScript(PERF);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  const bar = 'tend-overlay[data-tend-kind="thread"]';
  const hasText = (text) => page.waitForFunction(({ bar, text }) => document.querySelector(bar)?.shadowRoot?.textContent.includes(text), { bar, text }, { timeout: 15_000, polling: 50 });
  await hasText("I'll handle this");
  const marks = { endorse: [], claim: [] };
  /** Each click's window: from just before it until its result showed. */
  const mark = async (kind, fn, done) => {
    const from = await page.evaluate(() => performance.now());
    await fn();
    await done();
    marks[kind].push({ from, to: await page.evaluate(() => performance.now()) });
  };
  for (let i = 0; i < n; i++) {
    await mark('claim', () => clickIn(page, bar, "I'll handle this"), () => hasText('Release'));
    await mark('claim', () => clickIn(page, bar, 'Release'), () => hasText("I'll handle this"));
  }
  // Posts 1, 3, 4 and 5 (the viewer wrote post 2).
  for (let i = 0; i < n; i++) {
    const post = [0, 2, 3, 4][i % 4];
    await mark(
      'endorse',
      () => clickIn(page, 'article tend-overlay', 'This helped', post),
      () => page.waitForFunction((i) => document.querySelectorAll('article tend-overlay')[i]?.shadowRoot?.querySelector('.tend-panel:popover-open'), post, { timeout: 15_000, polling: 50 }),
    );
    // Closed again (it lies over the posts below), from the keyboard as a person would.
    await page.waitForTimeout(300);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => ![...document.querySelectorAll('article tend-overlay')].some((h) => h.shadowRoot?.querySelector('.tend-panel:popover-open')), null, { timeout: 15_000, polling: 50 });
  }
  await page.waitForTimeout(500);
  const events = await page.evaluate(() => globalThis.__tendPerf.events);
  await page.close();
  // Each click's interaction: the longest of its events (those under 16 ms are not reported: 16 ms is their ceiling).
  const durations = (windows) =>
    windows.map(({ from, to }) => {
      const mine = events.filter((e) => e.at >= from && e.at < to && (e.name === 'pointerdown' || e.name === 'pointerup' || e.name === 'click'));
      return Math.max(16, ...mine.map((e) => e.duration));
    });
  return { endorse: durations(marks.endorse), claim: durations(marks.claim) };
}

/**
 * The page's own floor for an interaction: on the baseline page, a plain button whose click
 * handler changes its text (a paint of that page after a click), `n` times.
 */
async function plainInteractions(context, url, baseline, n) {
  const page = await context.newPage();
  await page.addInitScript(PERF);
  await page.addInitScript(BASELINE, baseline);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => document.querySelectorAll('.plain-overlay button').length > 4, null, { timeout: 30_000, polling: 50 });
  await page.evaluate(() => document.querySelectorAll('.plain-overlay button').forEach((b) => b.addEventListener('click', () => (b.textContent = b.textContent.startsWith('♡') ? '♥ Thanked' : '♡ This helped'))));
  const windows = [];
  for (let i = 0; i < n; i++) {
    const from = await page.evaluate(() => performance.now());
    const box = await page.evaluate((i) => {
      const r = document.querySelectorAll('.plain-overlay button')[i].getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }, i % 4);
    await page.mouse.move(box.x, box.y);
    await page.waitForTimeout(400);
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForTimeout(300);
    windows.push({ from, to: await page.evaluate(() => performance.now()) });
  }
  const events = await page.evaluate(() => globalThis.__tendPerf.events);
  await page.close();
  return windows.map(({ from, to }) => Math.max(16, ...events.filter((e) => e.at >= from && e.at < to).map((e) => e.duration)));
}

/** The reader's view of the 1,000-post topic: tasks, shifts, interactions and heap. */
export async function reader(ctx, context, { tendUrl, baseUrl, baseline, rounds, clicks }) {
  const { fmt, median, percentile } = ctx;
  const runs = { tend: [], baseline: [], bare: [] };
  for (let i = 0; i < rounds; i++) {
    ctx.log(`where the reader is: round ${i + 1}/${rounds}`);
    runs.tend.push(await readerRound(context, tendUrl, { tend: true }));
    runs.baseline.push(await readerRound(context, baseUrl, { baseline }));
    runs.bare.push(await readerRound(context, baseUrl, {}));
  }
  ctx.log(`interactions: ${clicks} of each`);
  const inp = await interactions(context, tendUrl, clicks);
  const plain = await plainInteractions(context, baseUrl, baseline, clicks);
  const med = (side, f) => median(runs[side].map(f));
  const all = (side, f, unit = fmt.ms) => runs[side].map((r) => unit(f(r))).join(', ');
  const tendLoad = med('tend', (r) => r.tasks.load.longestPartMs);
  const tendScroll = med('tend', (r) => r.tasks.scroll.longestPartMs);
  const shift = med('tend', (r) => r.shift);
  const heapMb = (med('tend', (r) => r.heap) - med('bare', (r) => r.heap)) / 1024 / 1024;
  const p95 = (xs) => percentile(xs, 95);
  const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  return [
    {
      title: `Where the reader is: the 1,000-post topic (median of ${rounds}; scripted scroll to the end and back, a screen every 50 ms)`,
      rows: [
        ['', 'Tend', 'plain baseline', 'nothing added', 'goal', ''],
        ['Tend’s longest run in one task (scripts + the style and layout they force), on load', fmt.ms(tendLoad), '', '', `≤ ${GOAL_TASK_MS} ms`, fmt.check(tendLoad <= GOAL_TASK_MS)],
        ['  the same, scrolling to the end and back', fmt.ms(tendScroll), '', '', `≤ ${GOAL_TASK_MS} ms`, fmt.check(tendScroll <= GOAL_TASK_MS)],
        ['  whole task it ran in (with the frame’s own paint), load / scroll', `${fmt.ms(med('tend', (r) => r.tasks.load.longestMs))} / ${fmt.ms(med('tend', (r) => r.tasks.scroll.longestMs))}`],
        ['  tasks with Tend in them, load / scroll', `${fmt.int(med('tend', (r) => r.tasks.load.count))} / ${fmt.int(med('tend', (r) => r.tasks.scroll.count))}`],
        ['first contentful paint → first overlay or element inserted', `${fmt.ms(med('tend', (r) => r.fcp))} → ${fmt.ms(med('tend', (r) => r.firstInsert))}`, `${fmt.ms(med('baseline', (r) => r.fcp))} → ${fmt.ms(med('baseline', (r) => r.firstInsert))}`, fmt.ms(med('bare', (r) => r.fcp))],
        ['longest frame of any kind, load / scroll', `${fmt.ms(med('tend', (r) => r.load.longestFrame))} / ${fmt.ms(med('tend', (r) => r.scroll.longestFrame))}`, `${fmt.ms(med('baseline', (r) => r.load.longestFrame))} / ${fmt.ms(med('baseline', (r) => r.scroll.longestFrame))}`, `${fmt.ms(med('bare', (r) => r.load.longestFrame))} / ${fmt.ms(med('bare', (r) => r.scroll.longestFrame))}`],
        ['layout shift (sum of layout-shift entries)', shift.toFixed(4), med('baseline', (r) => r.shift).toFixed(4), med('bare', (r) => r.shift).toFixed(4), `${GOAL_SHIFT}`, fmt.check(shift <= GOAL_SHIFT + 1e-9)],
        ['  of which while scrolling', med('tend', (r) => r.shiftScroll).toFixed(4), med('baseline', (r) => r.shiftScroll).toFixed(4), med('bare', (r) => r.shiftScroll).toFixed(4)],
        [`interaction to next paint, "This helped" (${inp.endorse.length})`, `p95 ${fmt.ms(p95(inp.endorse))}`, `max ${fmt.ms(Math.max(...inp.endorse))}`, '', `≤ ${GOAL_INP_MS} ms`, fmt.check(p95(inp.endorse) <= GOAL_INP_MS)],
        [`interaction to next paint, claim and release (${inp.claim.length})`, `p95 ${fmt.ms(p95(inp.claim))}`, `max ${fmt.ms(Math.max(...inp.claim))}`, '', `≤ ${GOAL_INP_MS} ms`, fmt.check(p95(inp.claim) <= GOAL_INP_MS)],
        [`  the page's own floor: a plain button changing its text (${plain.length})`, `p95 ${fmt.ms(p95(plain))}`, `max ${fmt.ms(Math.max(...plain))}`],
        ['JavaScript heap after the scroll (page + content script)', mb(med('tend', (r) => r.heap)), mb(med('baseline', (r) => r.heap)), mb(med('bare', (r) => r.heap))],
        ['  Tend’s share (with Tend − nothing added)', `${heapMb.toFixed(1)} MB`, '', '', `≤ ${GOAL_HEAP_MB} MB`, fmt.check(heapMb <= GOAL_HEAP_MB)],
      ],
      notes: [
        `Tend rounds: Tend’s longest run on load ${all('tend', (r) => r.tasks.load.longestPartMs)}; scrolling ${all('tend', (r) => r.tasks.scroll.longestPartMs)}; shift ${all('tend', (r) => r.shift, (x) => x.toFixed(4))}; heap ${all('tend', (r) => r.heap, mb)}`,
        'Tend’s tasks: RunTask events on the page’s main thread (Chromium trace) containing a script event from the extension (timers, messages, observers of the content script), whole task including the style and layout it forces',
        'longest frame: Long Animation Frame entries (≥ 50 ms only; 0 means none), any cause (the 1,000-post page itself makes long frames)',
        'layout shift: entries without recent input, whole visit; the baseline adds plain elements in one task at document idle; "nothing added" is the bare page',
        'interactions: Event Timing (pointerdown, pointerup, click; entries ≥ 16 ms are reported, so 16 ms is the floor); the pointer rests 400 ms on each control first, as the click guard asks',
        'heap: Runtime.getHeapUsage after three forced collections; a content script shares its page’s heap, so Tend’s share is the difference from the bare page',
      ],
    },
  ];
}
