/**
 * IndexedDB benchmarks in real Chromium: the store's bulk apply of a remote pull against a
 * plain-put baseline, and the latency of one local action to its subscriber.
 * The browser-side code is tests/bench/idb-bench.ts.
 *
 *     npm run bench -- idb [--rounds=3] [--ops=10000] [--actions=300] [--memory]
 */
export const title = 'IndexedDB bulk apply and local action latency (real Chromium)';
export const order = 10;

const GOAL_OPS_PER_S = 10_000;
const GOAL_RATIO = 2;
const GOAL_P95_MS = 5;
const GOAL_ACTION_RATIO = 2;

export async function run(ctx) {
  const { fmt, median, percentile } = ctx;
  const rounds = ctx.option('rounds', 3);
  const opCount = ctx.option('ops', 10_000);
  const actions = ctx.option('actions', 300);

  const bundle = await ctx.bundle('tests/bench/idb-bench.ts', { name: 'idb-bench', globalName: 'TendBench' });
  // On disk like a real profile; `--memory` runs in an off-the-record (in-memory) context instead.
  const inMemory = ctx.options.memory === 'true';
  const page = await ctx.openPage({ scripts: [bundle.url], title: 'Tend IndexedDB bench', offTheRecord: inMemory });
  const browser = await ctx.browserName();

  ctx.log(`bulk apply: ${opCount} ops, warm-up + ${rounds} rounds`);
  const spread = { ops: opCount, threads: Math.round(opCount / 5), posts: Math.round(opCount / 2) };
  const bulk = await page.evaluate((o) => globalThis.TendBench.bulk(o), { rounds, spread });

  const tendMs = median(bulk.rounds.map((r) => r.tendMs));
  const baseMs = median(bulk.rounds.map((r) => r.baselineMs));
  const repeatMs = median(bulk.rounds.map((r) => r.repeatMs));
  const ratios = bulk.rounds.map((r) => r.tendMs / r.baselineMs);
  const ratio = median(ratios);
  const opsPerS = (ms) => (bulk.ops / ms) * 1000;
  const all = (key) => bulk.rounds.map((r) => Math.round(r[key])).join(', ');
  const mix = Object.entries(bulk.mix)
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${t} ${fmt.int(n)}`)
    .join(', ');

  const bulkSection = {
    title: `IndexedDB bulk apply (${fmt.int(bulk.ops)} remote ops, ${browser}, ${inMemory ? 'in-memory profile' : 'on-disk profile'})`,
    rows: [
      ['Tend applyAccepted', `${fmt.int(opsPerS(tendMs))} ops/s`, `(median of ${bulk.rounds.length}: ${fmt.ms(tendMs)}; all ${all('tendMs')} ms)`],
      ['baseline plain puts', `${fmt.int(opsPerS(baseMs))} ops/s`, `(median of ${bulk.rounds.length}: ${fmt.ms(baseMs)}; all ${all('baselineMs')} ms)`],
      ['ratio', `${fmt.times(ratio)} baseline`, `(per round ${ratios.map((r) => fmt.times(r)).join(', ')})`, `goal ≤ ${GOAL_RATIO}×`, fmt.check(ratio <= GOAL_RATIO)],
      ['throughput goal', '', '', `goal ≥ ${fmt.int(GOAL_OPS_PER_S)} ops/s`, fmt.check(opsPerS(tendMs) >= GOAL_OPS_PER_S)],
      ['same pull again', `${fmt.int(opsPerS(repeatMs))} ops/s`, `(${fmt.ms(repeatMs)}: every op already stored, so only the probes and the cursor)`],
    ],
    notes: [
      `ops: ${mix}; ${fmt.int(bulk.spread.threads)} threads, ${fmt.int(bulk.spread.posts)} posts, ${bulk.spread.actors} actors`,
      `rows written: ${fmt.int(bulk.rows.ops)} ops, ${fmt.int(bulk.rows.endorsements)} endorsements, ${fmt.int(bulk.rows.threads)} threads, ${fmt.int(bulk.rows.claims)} claims (+ cursor)`,
      `baseline: the same rows into the same schema (MIGRATIONS, same indexes), one transaction, default durability`,
      `inside Tend's transaction (timed alone, filled db): ${fmt.int(bulk.ops)} op-id probes ${fmt.ms(bulk.parts.probeOpsMs)}, ` +
        `${fmt.int(bulk.ops)} outbox probes ${fmt.ms(bulk.parts.probeOutboxMs)}, view reads ${fmt.ms(bulk.parts.viewReadsMs)}, in-memory folds ${fmt.ms(bulk.parts.foldMs)}`,
      `  for comparison, one seq-index getAllKeys over the batch's seq range ${fmt.ms(bulk.parts.seqRangeKeysMs)}, one outbox getAllKeys ${fmt.ms(bulk.parts.outboxAllKeysMs)}`,
      `warm-up round (not counted): Tend ${fmt.ms(bulk.warmup.tendMs)}, baseline ${fmt.ms(bulk.warmup.baselineMs)}`,
    ],
  };

  ctx.log(`local actions: ${actions}`);
  const lat = await page.evaluate((o) => globalThis.TendBench.latency(o), { actions });
  const notified = lat.samples.map((s) => s.notifiedMs);
  const replied = lat.samples.map((s) => s.replyMs);
  const p95 = percentile(notified, 95);
  const line = (xs) => [`p50 ${fmt.ms(percentile(xs, 50))}`, `p95 ${fmt.ms(percentile(xs, 95))}`, `max ${fmt.ms(Math.max(...xs))}`];
  const types = [...new Set(lat.samples.map((s) => s.type))];
  // Actions a person takes (not what pages report), against a bare commit in the same run.
  const acted = lat.samples.filter((s) => s.type !== 'page.seen').map((s) => s.notifiedMs);
  const actRatio = percentile(acted, 95) / percentile(lat.parts.bareCommit, 95);
  const latencySection = {
    title: `Local action (route → committed → subscriber notified), ${fmt.int(lat.samples.length)} actions`,
    rows: [
      ['all', ...line(notified), `goal p95 ≤ ${GOAL_P95_MS} ms`, fmt.check(p95 <= GOAL_P95_MS)],
      ...types.map((t) => {
        const xs = lat.samples.filter((s) => s.type === t).map((s) => s.notifiedMs);
        return [`  ${t} (${xs.length})`, ...line(xs)];
      }),
      ['actions only (endorse, claim, release)', ...line(acted), `p95 ${fmt.times(actRatio)} a bare commit's`, `goal ≤ ${GOAL_ACTION_RATIO}×`, fmt.check(actRatio <= GOAL_ACTION_RATIO)],
      ['  endorse sent while a page.seen of 500 new threads runs (to its reply)', ...line(lat.parts.behindSeen)],
      ['reply (route resolved)', ...line(replied)],
      ['parts alone:', '', '', ''],
      ['  store.act (endorse)', ...line(lat.parts.act)],
      ['  snapshot of one post', ...line(lat.parts.snapshot)],
      ['  bare readwrite commit', ...line(lat.parts.bareCommit)],
      ['  one get round trip', ...line(lat.parts.roundTrip)],
    ],
    notes: [
      `store preloaded with ${fmt.int(lat.preloadedOps)} accepted ops; one content port watching ${lat.watched.posts} posts and ${lat.watched.threads} threads;`,
      `page.seen reports ${lat.watched.threads} threads with one changed. Excludes the browser's message IPC (runtime.sendMessage / port hops).`,
    ],
  };

  await page.close();
  return [bulkSection, latencySection];
}
