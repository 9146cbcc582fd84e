/**
 * Site adapters in real Chromium: one read of a 1,000-post thread by a site description (the
 * Bramble forum, as a person describes it in the editor) next to the built-in Discourse adapter
 * on a topic with the same number of posts, and a description on a 10,000-post page (bounded
 * by the number of items and the time per pass); then one read by each of the GitHub, Stack
 * Exchange and Reddit adapters of a thread as long as their sites' long threads get.
 *
 *     npm run bench -- sites [--posts=1000] [--rounds=15]
 */
export const title = 'Site adapters: a description next to the built-in Discourse adapter';
export const order = 25;

export async function run(ctx) {
  const posts = ctx.option('posts', 1_000);
  const rounds = ctx.option('rounds', 15);
  const { url } = await ctx.bundle('tests/bench/sites-entry.ts', { name: 'sites', globalName: 'TendSites' });
  const page = await ctx.openPage({ scripts: [url], offTheRecord: true });
  try {
    const measure = (kind, n) => page.evaluate(([k, count, r]) => globalThis.TendSites.time(k, count, r), [kind, n, rounds]);
    ctx.log(`reading ${posts} posts, ${rounds} rounds each`);
    const discourse = await measure('discourse', posts);
    const described = await measure('described', posts);
    const huge = await measure('described', 10_000);
    const platforms = [
      ['GitHub, an issue with 500 comments', await measure('github', 501)],
      ['Stack Exchange, a question with 100 answers', await measure('stackexchange', 101)],
      ['Reddit, a thread with 500 comments', await measure('reddit', 501)],
    ];
    const d = ctx.median(discourse.ms);
    const s = ctx.median(described.ms);
    return [
      {
        title: `One read of a ${ctx.fmt.int(posts)}-post thread (${await ctx.browserName()}, median of ${rounds})`,
        rows: [
          ['adapter', 'median', 'p95', 'posts read', 'targets'],
          ['Discourse (built in)', ctx.fmt.ms(d), ctx.fmt.ms(ctx.percentile(discourse.ms, 95)), ctx.fmt.int(discourse.posts), ctx.fmt.int(discourse.targets)],
          ['Bramble (a description)', ctx.fmt.ms(s), ctx.fmt.ms(ctx.percentile(described.ms, 95)), ctx.fmt.int(described.posts), ctx.fmt.int(described.targets)],
          ['ratio, description / Discourse', ctx.fmt.times(s / d)],
          ['description, 10,000-post page', ctx.fmt.ms(ctx.median(huge.ms)), ctx.fmt.ms(ctx.percentile(huge.ms, 95)), ctx.fmt.int(huge.posts), ctx.fmt.int(huge.targets), huge.partial ? 'partial (time per pass)' : 'bounded by items'],
          ...platforms.map(([name, r]) => [name, ctx.fmt.ms(ctx.median(r.ms)), ctx.fmt.ms(ctx.percentile(r.ms, 95)), ctx.fmt.int(r.posts), ctx.fmt.int(r.targets)]),
        ],
        notes: ['Pages are parsed, not rendered: adapters read markup only. A description reads at most 2,000 posts per pass and stops after 100 ms.'],
      },
    ];
  } finally {
    await page.close();
  }
}
