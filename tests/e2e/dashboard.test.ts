/**
 * The manager's dashboard in real Chromium, on a team server: a teammate (through the server's
 * API) asks questions and thanks people; the manager's queue shows what nobody holds, a claim
 * from a row works, the manager hands the claim to a member and the member's dashboard shows
 * it. Then everything is exported, imported into a fresh profile (twice: nothing changes the
 * second time) and the views match; wiping leaves nothing in IndexedDB or storage.local.
 * Every view is checked with axe-core and photographed light and dark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchTend, type TendBrowser, type TendPage } from './browsers';
import { formatViolations } from './helpers';
import { joinTeam, startTeamServer, teammate, type TeamServer, type Teammate } from './flows/team';

const SITE = 'https://forum.example.test';
const H = 3_600_000;
const VIEWPORT = { width: 1100, height: 900 };
const QUESTIONS = [
  { id: '11', title: 'Webhooks stop after upgrading', age: 50 * H },
  { id: '12', title: 'Rotating API keys without downtime', age: 30 * H },
  { id: '13', title: 'SSO loop on Safari', age: 2 * H },
];
const ANSWERED = { id: '14', title: 'Backups fail at midnight', age: 80 * H };
const NOTE = 'The rollback steps saved our evening';
const TABS = [
  ['queue', /^Queue/],
  ['claims', /^Claims/],
  ['recognition', /^Recognition/],
  ['running', /^Is it running itself/],
  ['thanks', /^Thanks this week/],
  ['data', /^Data/],
] as const;

/** Until `fn` returns something truthy (polled), or fails with the last value. */
async function until<T>(what: string, fn: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!last) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 150));
    last = await fn();
  }
  return last;
}

/** Titles of the queue's rendered rows, in order. */
const queueTitles = (page: TendPage) => page.evaluate(() => [...document.querySelectorAll('.qbody [role="row"] .qtitle a, .qbody [role="row"] .qtitle')].map((e) => (e.firstChild?.textContent ?? '').trim()).filter((t, i, all) => t && all.indexOf(t) === i));
/** The claims view as "holder: title" lines. */
const claimLines = (page: TendPage) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.claims-view .holder')].flatMap((section) => {
      const who = section.querySelector('h3')!.firstChild!.textContent!.trim();
      return [...section.querySelectorAll('.claim-title')].map((t) => `${who}: ${t.textContent!.trim()}`);
    }),
  );
/** Selects an option in a native select as the keyboard would leave it, and tells Preact. */
const choose = (page: TendPage, css: string, value: string) =>
  page.evaluate(
    ({ css, value }) => {
      const select = document.querySelector<HTMLSelectElement>(css)!;
      select.value = value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { css, value },
  );

describe.skipIf(!browserAvailable())('Chromium: the manager’s dashboard', () => {
  let team: TeamServer;
  let manager: TendBrowser;
  let member: TendBrowser;
  let fresh: TendBrowser | null = null;
  let dana: Teammate;
  let board: TendPage;
  let exported = '';

  beforeAll(async () => {
    team = await startTeamServer('Dashboard team');
    manager = await launchTend({ build: 'test' }, 'chromium');
    await joinTeam(manager, team, 'Mara', { role: 'manager' });
    member = await launchTend({ build: 'test' }, 'chromium');
    await joinTeam(member, team, 'Milo');
    dana = await teammate(team, 'Dana');
    const now = Date.now();
    for (const q of [...QUESTIONS, ANSWERED]) {
      await dana.does({ type: 'observe', thread: { site: SITE, threadId: q.id }, fields: { title: q.title, url: `${SITE}/t/${q.id}`, createdAt: now - q.age, ...(q === ANSWERED ? { answered: true } : {}) } });
    }
    await dana.does({ type: 'endorse', post: { site: SITE, threadId: '11', postId: '3' }, author: 'sam', viewer: 'dana', note: NOTE });
    await dana.does({ type: 'endorse', post: { site: SITE, threadId: '12', postId: '2' }, author: 'carol', viewer: 'dana' });
    // The roster (Milo, Dana) reaches the manager with the next team refresh.
    await manager.fireSyncAlarmIn(100);
  }, 120_000);

  afterAll(async () => {
    await fresh?.close();
    await member?.close();
    await manager?.close();
    await team?.close();
  });

  it('shows the questions nobody holds, oldest first, answered ones left out', async () => {
    board = await manager.openExtensionPage('dashboard.html', { viewport: VIEWPORT, colorScheme: 'light' });
    const titles = await until('the queue lists the three questions', async () => {
      const t = await queueTitles(board);
      return t.length === 3 ? t : null;
    });
    expect(titles).toEqual(QUESTIONS.map((q) => q.title));
    // The first rows come first; the count is the whole queue's once the rest is read.
    await expect.poll(() => board.text('.queue-view [role="status"]').catch(() => '')).toMatch(/^3 questions nobody holds/);
  });

  it('claims from a row with the keyboard: the row leaves the queue and the claim is the manager’s', async () => {
    await board.focus({ role: 'grid' });
    await board.press('ArrowDown');
    await board.press('ArrowDown');
    await board.press('ArrowUp');
    // The second row (keyboard moved down twice and up once) is claimed with `c`.
    await board.press('c');
    await until('the claimed question leaves the queue', async () => !(await queueTitles(board)).includes(QUESTIONS[1]!.title));
    await board.click({ role: 'tab', name: /^Claims/ });
    expect(await until('the claim is listed under Mara', async () => ((await claimLines(board)).length ? claimLines(board) : null))).toEqual([`Mara: ${QUESTIONS[1]!.title}`]);
  });

  it('hands the claim to a member, who sees it on his dashboard', async () => {
    await until('Milo is on the manager’s roster', async () => board.evaluate(() => [...document.querySelectorAll('.handoff option')].some((o) => o.textContent === 'Milo')));
    const miloId = await board.evaluate(() => [...document.querySelectorAll<HTMLOptionElement>('.handoff option')].find((o) => o.textContent === 'Milo')!.value);
    await choose(board, '.handoff select', miloId);
    await board.click({ role: 'button', name: 'Hand off' });
    await until('the manager sees Milo holding it', async () => (await claimLines(board)).join() === `Milo: ${QUESTIONS[1]!.title}`);
    const milo = await member.openExtensionPage('dashboard.html#claims', { viewport: VIEWPORT });
    await until('Milo sees his claim', async () => (await claimLines(milo)).join() === `Milo: ${QUESTIONS[1]!.title}`);
    // His claim: he may renew, release or mark it done.
    expect(await milo.count({ role: 'button', name: `Renew “${QUESTIONS[1]!.title}”` })).toBe(1);
    await milo.close();
  });

  it('shows recognition with notes first, the running numbers and the week’s thanks as Markdown', async () => {
    await board.click({ role: 'tab', name: /^Recognition/ });
    await until('the note is shown', async () => (await board.text('.feed')).includes(NOTE));
    expect(await board.evaluate(() => document.querySelector('.feed li')!.classList.contains('with-note'))).toBe(true);
    await board.click({ role: 'button', name: 'Everything sam was thanked for' });
    await until('sam’s page', async () => (await board.text('.recognition-view h3')).includes('What sam'));
    await board.click({ role: 'tab', name: /^Is it running itself/ });
    expect(await board.text('table')).toMatch(/Claimed by members/);
    await board.click({ role: 'tab', name: /^Thanks this week/ });
    const md = await until('the Markdown', async () => {
      const v = await board.evaluate(() => document.querySelector<HTMLTextAreaElement>('textarea.markdown')!.value);
      return v.includes('###') ? v : null;
    });
    expect(md).toContain(`> ${NOTE}`);
    expect(md).toContain('> — Dana');
  });

  it('passes axe-core on every view, light and dark, and is photographed', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await board.setColorScheme(scheme);
      for (const [id, name] of TABS) {
        await board.click({ role: 'tab', name });
        await new Promise((r) => setTimeout(r, 200));
        const violations = await board.accessibilityViolations();
        expect(violations, `${id} (${scheme}):\n${formatViolations(violations)}`).toEqual([]);
        await board.screenshot(`dashboard-${id}-${scheme}`, { fullPage: true });
      }
    }
    await board.setColorScheme('light');
  }, 120_000);

  it('exports everything, and a fresh profile importing it shows the same views (twice: nothing changes)', async () => {
    await board.click({ role: 'tab', name: /^Data/ });
    // The file the page offers is caught on its way to the download.
    await board.evaluate(() => {
      const w = window as unknown as { exported?: Promise<string> };
      const make = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (blob: Blob | MediaSource) => {
        w.exported = (blob as Blob).text();
        return make(blob);
      };
    });
    await board.click({ role: 'button', name: 'Export everything (JSON)' });
    exported = await until('the export', async () => {
      const text = await board.evaluate(async () => (await (window as unknown as { exported?: Promise<string> }).exported) ?? '');
      const status = await board.text('.data-card');
      if (!text && /could not|damaged/i.test(status)) throw new Error(status);
      return text;
    });
    const file = JSON.parse(exported) as { tend: string; ops: { type: string }[]; people: { name: string }[] };
    expect(file.tend).toBe('export');
    expect(file.ops.map((o) => o.type)).toEqual(expect.arrayContaining(['observe', 'endorse', 'claim', 'handoff']));
    expect(file.people.map((p) => p.name).sort()).toEqual(expect.arrayContaining(['Dana', 'Mara', 'Milo']));

    fresh = await launchTend({ build: 'test' }, 'chromium');
    const other = await fresh.openExtensionPage('dashboard.html#data', { viewport: VIEWPORT });
    const importFile = () =>
      other.evaluate((text) => {
        const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'tend.json', { type: 'application/json' }));
        input.files = dt.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }, exported);
    await importFile();
    const n = file.ops.length;
    await until('the import', async () => (await other.text('.data-card')).includes(`Imported: ${n} new, 0 already here.`));
    await importFile();
    await until('the second import', async () => (await other.text('.data-card')).includes(`Imported: 0 new, ${n} already here.`));

    await board.click({ role: 'tab', name: /^Queue/ });
    await other.click({ role: 'tab', name: /^Queue/ });
    await until('the fresh queue', async () => (await queueTitles(other)).length === 2);
    expect(await queueTitles(other)).toEqual(await queueTitles(board));
    await board.click({ role: 'tab', name: /^Claims/ });
    await other.click({ role: 'tab', name: /^Claims/ });
    expect(await claimLines(other)).toEqual(await claimLines(board));
    await board.click({ role: 'tab', name: /^Recognition/ });
    await other.click({ role: 'tab', name: /^Recognition/ });
    await until('the fresh feed', async () => (await other.text('.feed')).includes(NOTE));
    expect(await other.text('.feed')).toBe(await board.text('.feed'));
    await board.click({ role: 'tab', name: /^Is it running itself/ });
    await other.click({ role: 'tab', name: /^Is it running itself/ });
    expect(await other.text('table')).toBe(await board.text('table'));
  }, 120_000);

  it('wipes everything: nothing left in IndexedDB or storage.local', async () => {
    const other = await fresh!.findPage(`${fresh!.extensionOrigin}/dashboard.html#data`).catch(() => fresh!.openExtensionPage('dashboard.html#data', { viewport: VIEWPORT }));
    await other.click({ role: 'tab', name: /^Data/ });
    await other.click({ role: 'button', name: 'Wipe everything…' });
    await other.click({ role: 'button', name: 'Yes, wipe everything' });
    await until('the wipe', async () => (await other.text('.data-card')).includes('is gone'));
    const counts = await fresh!.storeCounts();
    expect(Object.values(counts).every((c) => c === 0), JSON.stringify(counts)).toBe(true);
    expect(Object.keys(counts)).toEqual(expect.arrayContaining(['ops', 'threads', 'endorsements', 'aggregates', 'meta']));
    expect(await fresh!.evaluateInExtension(() => (globalThis as unknown as { chrome: { storage: { local: { get(k: null): Promise<object> } } } }).chrome.storage.local.get(null))).toEqual({});
    await other.click({ role: 'tab', name: /^Queue/ });
    await until('the empty queue', async () => (await other.text('.queue-view')).includes('Nobody is waiting'));
  });
});
