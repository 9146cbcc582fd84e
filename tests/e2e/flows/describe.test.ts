/**
 * A forum Tend has never seen, described by a person, in each browser: "Bramble"
 * (tests/fixtures/bramble, markup like no built-in platform) served as bramble.test. Tend is
 * enabled there from the popup; the settings' editor gets its posts and their authors picked on
 * the forum's tab and the rest typed, with live counts; once saved, Tend starts in the open tab
 * without a reload: thanks, a claim, and chips on the board after a client-side move.
 *
 * The editor's tools are a script Tend injects into the forum's tab only while the editor
 * works there; in Firefox that tab's site was granted at run time (the shipped build).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { brambleBoardPage, brambleThreadPage, brambleThreadPath, type BrambleThread } from '../../fixtures/bramble/generate';
import { BROWSER, describeFlow, flowBuild, launchTend, type TendBrowser, type TendPage } from '../browsers';
import { serveFixtures, type FixtureServer } from '../helpers';
import { CLAIM_BAR, POST_OVERLAYS, ROW_CHIPS, claimBar, rowChip, thank, thanksCount, expectAccessible } from './tend-ui';

const HOST = 'bramble.test';
const THREADS: BrambleThread[] = [
  { id: 12, title: 'Export my reading list', replies: 5 },
  { id: 13, title: 'Change the night theme', replies: 2, solved: true },
  { id: 14, title: 'Merge two accounts', replies: 0 },
];
const THREAD = THREADS[0]!;
const PICKING = 'tend-editor-layer[data-picking]';

/** Pages as the member sees them (cookie `member`). */
function route(render: (member: string | null) => string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const member = /(?:^|;\s*)member=([a-z]+)/.exec(req.headers.cookie ?? '')?.[1] ?? null;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(render(member));
  };
}

/** A field of the editor. */
const field = (name: string, css = 'input') => ({ css: `[data-field="${name}"] ${css}` });

describeFlow('describing a forum Tend has never seen', () => {
  let tend: TendBrowser;
  let fixtures: FixtureServer;
  let forum: TendPage;
  let editor: TendPage;
  let origin: string;
  let tabId: number;

  beforeAll(async () => {
    fixtures = await serveFixtures({
      routes: {
        '/board': route((member) => brambleBoardPage(THREADS, { member })),
        ...Object.fromEntries(THREADS.map((t) => [brambleThreadPath(t), route((member) => brambleThreadPage(t, t.replies + 1, { member }))])),
      },
    });
    origin = fixtures.origin(HOST);
    tend = await launchTend({ build: flowBuild(), hostMap: [HOST], cookies: [{ name: 'member', value: 'ada', domain: HOST }] });
  });
  afterAll(async () => {
    await tend?.close();
    await fixtures?.close();
  });

  it('is enabled from the popup, which then offers to describe it', async () => {
    forum = await tend.openPage(fixtures.url(brambleThreadPath(THREAD), HOST), { viewport: { width: 1100, height: 900 } });
    tabId = await tend.tabIdOf(forum);
    const popup = await tend.openPopup(forum);
    await popup.click({ role: 'button', name: 'Enable Tend on this site' });
    if (tend.asksForSites) await tend.answerSitePrompt('allow');
    await expect.poll(() => popup.text({ css: 'section.site' }), { timeout: 10_000 }).toContain('does not know this forum yet');
    // Nothing reads it yet: no overlays.
    expect(await forum.count('tend-overlay')).toBe(0);
    await popup.click({ role: 'button', name: 'Describe this forum' });
    editor = await tend.findPage(`${tend.extensionOrigin}/options.html#describe=${encodeURIComponent(origin)}&tab=${tabId}`);
    await editor.setViewport({ width: 1000, height: 1000 });
    await expect.poll(() => editor.text({ role: 'heading', name: /^Describe bramble\.test/ })).toBe(`Describe ${new URL(origin).host}`);
  });

  /** Presses Pick for a field, then clicks the element on the forum as a person would. */
  async function pick(name: string, target: string, at?: { x: number; y: number }): Promise<void> {
    await editor.click({ role: 'button', name: 'Pick', css: `[data-field="${name}"] button` });
    // The forum's tab comes to the front with the picker on.
    await expect.poll(() => forum.count(PICKING)).toBe(1);
    await forum.click(target, at ? { at } : {});
    await expect.poll(() => forum.count(PICKING)).toBe(0);
  }

  it('is described in the editor: two fields picked on the page, the others typed, with live counts', async () => {
    // Each post: clicked on its frame, not its text.
    await pick('posts.item', 'section.entry[data-entry="e-1002"]', { x: 6, y: 6 });
    await expect.poll(() => editor.evaluate(() => (document.querySelector('[data-field="posts.item"] input') as HTMLInputElement).value)).toBe('section.entry');
    await expect.poll(() => editor.text(field('posts.item', '.count'))).toBe('6 found');
    // Its author: clicked on the name in one post.
    await pick('posts.author', 'section.entry[data-entry="e-1003"] .who b');
    await expect.poll(() => editor.text(field('posts.author', '.count'))).toBe('6 of 6');
    await expect.poll(() => editor.text(field('posts.author', '.sample'))).toBe('“wren”');

    await editor.fill(field('thread.title'), 'h2.discussion__title');
    await expect.poll(() => editor.text(field('thread.title', '.count'))).toBe('1 found');
    await editor.fill(field('posts.permalink'), 'a.plink');
    await editor.fill(field('list.row'), 'li.topic-line');
    await editor.fill(field('list.title'), 'a.topic-line__go');
    await editor.fill(field('list.id', 'input.pattern'), '^/thread/(\\d+)');
    await editor.fill(field('viewer'), '.signed-in .me-name');
    await expect.poll(() => editor.text({ css: '.ed-summary' })).toBe('6 posts, 6 authors, 6 ids, 6 permalinks, 1 title, 0 rows');
    await forum.screenshot(`${BROWSER}-describe-outlines`, { fullPage: false });
    await expectAccessible(editor);
    await editor.screenshot(`${BROWSER}-describe-editor`);

    await editor.click({ role: 'button', name: 'Save' });
    await expect.poll(() => editor.text()).toContain(`Saved. Tend now reads ${HOST}`);
  });

  it('runs in the open tab without a reload: thanks, a claim, and chips after a client-side move', async () => {
    await expect.poll(() => forum.count(POST_OVERLAYS), { timeout: 10_000 }).toBe(6);
    await expect.poll(() => forum.count(CLAIM_BAR)).toBe(1);
    // Closing the editor takes its outlines off the forum.
    await editor.click({ role: 'button', name: 'Back to settings' });
    await expect.poll(() => forum.count('tend-editor-layer')).toBe(0);

    const post = forum.overlay('section.entry[data-entry="e-1003"] tend-overlay');
    await thank(post, 'The export steps worked on the first try');
    await expect.poll(() => thanksCount(post)).toBe(1);
    await claimBar(forum).click({ role: 'button', name: "I'll handle this" });
    await expect.poll(() => claimBar(forum).text()).toMatch(/You're on it · 24 hr left/);
    await forum.screenshot(`${BROWSER}-describe-forum-overlays`, { fullPage: false });

    // A client-side move to the board: chips on every row, none on posts any more.
    await forum.click({ role: 'link', name: 'Bramble' });
    await expect.poll(() => forum.evaluate(() => location.pathname)).toBe('/board');
    await expect.poll(() => forum.count(ROW_CHIPS), { timeout: 10_000 }).toBe(3);
    expect(await forum.count(POST_OVERLAYS)).toBe(0);
    await expect.poll(() => rowChip(forum, 0).text()).toBe('Claimed by you');
    await expect.poll(() => rowChip(forum, 2).text()).toBe('Unclaimed');
  });

  it('a popup open on the forum follows its description as it goes and comes back', async () => {
    const popup = await tend.openPopup(forum);
    await expect.poll(() => popup.text({ css: 'section.site' }), { timeout: 10_000 }).toContain('Edit description');
    const saved = await tend.send<{ local: unknown }>({ type: 'site.description.get', origin });
    expect(saved.ok && saved.value.local).toBeTruthy();
    expect(await tend.send({ type: 'site.description.remove', origin })).toMatchObject({ ok: true, value: { removed: true } });
    await expect.poll(() => popup.text({ css: 'section.site' }), { timeout: 10_000 }).toContain('does not know this forum yet');
    expect(await tend.send({ type: 'site.description.save', origin, description: saved.ok ? saved.value.local : null })).toMatchObject({ ok: true });
    await expect.poll(() => popup.text({ css: 'section.site' }), { timeout: 10_000 }).toContain('Edit description');
    await popup.close();
  });
});
