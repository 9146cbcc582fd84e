/**
 * Overlays in real Chromium with the extension loaded, on a 1,000-post Discourse topic, a
 * GitHub issue with 500 comments and a Stack Overflow question with 100 answers (each served
 * under its real host name): main-thread time spent mounting and the time until every overlay
 * is in the page, side by side with a baseline that inserts the same number of plain elements
 * where Tend puts its controls (the same page on another host, without Tend, with a page script
 * doing the inserts); the longest task of each. Then every content-script bundle's size, raw
 * and gzipped, by the site it runs on.
 *
 *     npm run bench -- overlay [--posts=1000] [--comments=500] [--answers=100] [--rounds=3]
 *     TEND_BENCH_DEBUG=1 npm run bench -- overlay     also prints what the longest tasks spent their time on
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
  const marks = { dcl: 0, done: 0, first: 0 };
  document.addEventListener('DOMContentLoaded', () => (marks.dcl = performance.now()));
  const rendered = (el) => !el.shadowRoot || el.shadowRoot.querySelector('button, .tend-chip') !== null;
  const tick = () => {
    const all = document.querySelectorAll(selector);
    if (all.length && !marks.first) marks.first = performance.now();
    let n = 0;
    for (const el of all) if (rendered(el)) n++;
    if (n >= expected) {
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
  const dclUs = dclEvent?.ts;
  const doneUs = dclUs + (marks.done - marks.dcl) * 1000;
  // From DOMContentLoaded for both sides: what the page does itself in that window is the same
  // on both, so the difference is the cost of adding the elements.
  const tasks = dclUs ? mainThreadTasks(events, dclUs, doneUs) : { busyMs: NaN, longestMs: NaN, count: 0 };
  const count = await page.evaluate((s) => document.querySelectorAll(s).length, selector);
  await page.close();
  return { visibleMs: marks.done - marks.dcl, busyMs: tasks.busyMs, longestMs: tasks.longestMs, tasks: tasks.count, count };
}

export async function run(ctx) {
  const { fmt } = ctx;
  const posts = ctx.option('posts', 1000);
  const comments = ctx.option('comments', 500);
  const answers = ctx.option('answers', 100);
  const rounds = ctx.option('rounds', 3);
  // The test build: the same code with open shadow roots, so the page can tell when each
  // overlay has rendered. (It also grants test hosts; nothing else differs.)
  const buildDir = path.join(ctx.root, '.output', 'chrome-mv3-test');
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
    for (const sc of scenarios) {
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
      const longest = Math.max(...results.tend.map((r) => r.longestMs));
      sections.push(section(ctx, sc.name, results, { busyRatio, visRatio, longest, m }));
    }

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

function section(ctx, name, results, { busyRatio, visRatio, longest, m }) {
  const { fmt } = ctx;
  const all = (side, key) => results[side].map((r) => fmt.ms(r[key])).join(', ');
  return {
    title: `Overlays on ${name} (${results.tend[0]?.count ?? 0} mounted; median of ${results.tend.length})`,
    rows: [
      ['', 'Tend', 'baseline', 'ratio', 'goal', ''],
      ['main-thread time, DOMContentLoaded → all rendered', fmt.ms(m('tend', 'busyMs')), fmt.ms(m('baseline', 'busyMs')), fmt.times(busyRatio), `≤ ${GOAL_RATIO}×`, fmt.check(busyRatio <= GOAL_RATIO)],
      ['time until every overlay is rendered (from DOMContentLoaded)', fmt.ms(m('tend', 'visibleMs')), fmt.ms(m('baseline', 'visibleMs')), fmt.times(visRatio), `≤ ${GOAL_RATIO}×`, fmt.check(visRatio <= GOAL_RATIO)],
      ['longest main-thread task in that window', fmt.ms(longest), fmt.ms(Math.max(...results.baseline.map((r) => r.longestMs))), '', `≤ ${GOAL_TASK_MS} ms`, fmt.check(longest <= GOAL_TASK_MS)],
    ],
    notes: [
      `Tend rounds: busy ${all('tend', 'busyMs')}; in page ${all('tend', 'visibleMs')}`,
      `baseline rounds: busy ${all('baseline', 'busyMs')}; in page ${all('baseline', 'visibleMs')}`,
      'baseline: the same page on another host (no Tend), a page script that puts a plain <span><button> where Tend puts its control on each post, at document idle, in one task',
      'main-thread time and longest task: RunTask durations on the page renderer main thread (Chromium trace), from DOMContentLoaded until all are rendered (checked each frame)',
    ],
  };
}
