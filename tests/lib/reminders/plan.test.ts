import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REMINDER_SETTINGS,
  EMPTY_REMINDER_STATE,
  EXPIRED_ATTENTION_MS,
  HOUR_MS,
  markSeen,
  noticeId,
  parseNoticeId,
  plan,
  readReminderSettings,
  readReminderState,
  type ClaimFact,
  type PlanInput,
  type ReminderState,
} from '../../../lib/reminders/plan';
import { badgeOf, noticeText } from '../../../components/reminders';
import { englishT } from '../../components/translator';

const ME = 'me';
const SAM = 'sam';
const T0 = 1_800_000_000_000;
const SITE = 'https://forum.example.org';

const claim = (over: Partial<ClaimFact> = {}): ClaimFact => ({
  key: `${SITE} 1`,
  thread: { site: SITE, threadId: '1' },
  title: 'Login loops',
  url: `${SITE}/t/1`,
  holder: ME,
  status: 'active',
  epoch: 1,
  expiresAt: T0 + 24 * HOUR_MS,
  by: ME,
  ...over,
});

const started: ReminderState = { ...EMPTY_REMINDER_STATE, initialized: true };
const input = (over: Partial<PlanInput>): PlanInput => ({ now: T0, me: ME, settings: DEFAULT_REMINDER_SETTINGS, paused: false, claims: [], refusals: [], state: started, ...over });

/** Plans at each time in turn, carrying the state, and returns every notice said. */
function run(times: number[], claims: (now: number) => ClaimFact[], over: Partial<PlanInput> = {}) {
  let state = over.state ?? started;
  const said: { at: number; kind: string; key: string }[] = [];
  let last = null as ReturnType<typeof plan> | null;
  for (const now of times) {
    last = plan(input({ ...over, now, claims: claims(now), state }));
    state = last.state;
    said.push(...last.notify.map((n) => ({ at: now, kind: n.kind, key: n.key })));
  }
  return { said, last: last!, state };
}

describe('reminder plan', () => {
  it('schedules the reminder at the lead time, then says it once per lease', () => {
    const c = claim();
    const first = plan(input({ claims: [c] }));
    expect(first.notify).toEqual([]);
    expect(first.nextAt).toBe(c.expiresAt - 2 * HOUR_MS);
    expect(first.attention).toEqual([]);

    const { said, last } = run([first.nextAt!, first.nextAt! + 60_000, c.expiresAt - 1], () => [c], { state: first.state });
    expect(said).toEqual([{ at: first.nextAt, kind: 'expiring', key: c.key }]);
    expect(last.attention).toEqual([{ kind: 'expiring', key: c.key, thread: c.thread, title: 'Login loops', expiresAt: c.expiresAt }]);
    // The next look is at the lease's end.
    expect(last.nextAt).toBe(c.expiresAt);
  });

  it('reminds again after a renewal, not after the server confirms the same lease a few ms later', () => {
    const c = claim();
    const at = c.expiresAt - HOUR_MS;
    const renewed = claim({ expiresAt: at + 24 * HOUR_MS });
    const acked = claim({ expiresAt: renewed.expiresAt + 40 });
    const { said } = run([at, at + 1_000, at + 2_000, renewed.expiresAt - HOUR_MS, acked.expiresAt - HOUR_MS + 5], (now) => [now < at + 1_000 ? c : now < at + 2_000 ? renewed : acked]);
    expect(said.map((s) => s.at)).toEqual([at, renewed.expiresAt - HOUR_MS]);
  });

  it('uses the lead time the person chose', () => {
    const c = claim();
    const p = plan(input({ claims: [c], settings: { ...DEFAULT_REMINDER_SETTINGS, leadMs: 30 * 60_000 } }));
    expect(p.nextAt).toBe(c.expiresAt - 30 * 60_000);
  });

  it('announces an expiry once, and counts it until seen or a week has passed', () => {
    const c = claim();
    const { said, last, state } = run([c.expiresAt - HOUR_MS, c.expiresAt, c.expiresAt + HOUR_MS], () => [c]);
    expect(said.map((s) => s.kind)).toEqual(['expiring', 'expired']);
    expect(last.attention.map((a) => a.kind)).toEqual(['expired']);
    expect(last.nextAt).toBe(c.expiresAt + EXPIRED_ATTENTION_MS);
    const looked = plan(input({ now: c.expiresAt + 2 * HOUR_MS, claims: [c], state: markSeen(state, c, c.expiresAt + 2 * HOUR_MS) }));
    expect(looked.attention).toEqual([]);
    expect(looked.notify).toEqual([]);
    expect(plan(input({ now: c.expiresAt + EXPIRED_ATTENTION_MS, claims: [c], state })).attention).toEqual([]);
  });

  it('says a claim handed to me once, and counts it until I look at it', () => {
    const c = claim({ epoch: 3, by: SAM });
    const p = plan(input({ claims: [c] }));
    expect(p.notify).toMatchObject([{ kind: 'handed', who: SAM, key: c.key, epoch: 3 }]);
    expect(p.attention.map((a) => a.kind)).toEqual(['handed']);
    const again = plan(input({ claims: [c], state: p.state }));
    expect(again.notify).toEqual([]);
    expect(again.attention.map((a) => a.kind)).toEqual(['handed']);
    expect(plan(input({ claims: [c], state: markSeen(p.state, c, T0) })).attention).toEqual([]);
    // Once I renew it, it is simply mine.
    expect(plan(input({ claims: [{ ...c, by: ME }], state: p.state })).attention).toEqual([]);
  });

  it('says a claim taken over by someone else, once', () => {
    const c = claim();
    const before = plan(input({ claims: [c] }));
    const taken = claim({ holder: SAM, by: SAM, epoch: 2 });
    const p = plan(input({ claims: [taken], state: before.state }));
    expect(p.notify).toMatchObject([{ kind: 'taken', who: SAM }]);
    expect(plan(input({ claims: [taken], state: p.state })).notify).toEqual([]);
    // A claim I released myself is not news.
    expect(plan(input({ claims: [claim({ status: 'released' })], state: before.state })).notify).toEqual([]);
  });

  it('says each refusal once, and not again as taken over', () => {
    const mine = claim();
    const before = plan(input({ claims: [mine] }));
    const refusal = { opId: 'op1', key: mine.key, thread: mine.thread, title: mine.title, url: mine.url, reason: 'Sam claimed this first', code: 'claim-held', detail: 'Sam', at: T0 + 5 };
    const p = plan(input({ now: T0 + 10, claims: [claim({ holder: SAM, by: SAM })], refusals: [refusal], state: before.state }));
    expect(p.notify).toMatchObject([{ kind: 'refused', reason: 'Sam claimed this first', code: 'claim-held', detail: 'Sam' }]);
    expect(p.state.refusedUpTo).toBe(T0 + 5);
    expect(plan(input({ now: T0 + 20, claims: [claim({ holder: SAM, by: SAM })], refusals: [refusal], state: p.state })).notify).toEqual([]);
  });

  it('keeps quiet for kinds turned off and while paused, without saying them later', () => {
    const c = claim({ by: SAM });
    const now = c.expiresAt - HOUR_MS;
    const off = plan(input({ now, claims: [c], settings: { ...DEFAULT_REMINDER_SETTINGS, handed: false } }));
    expect(off.notify.map((n) => n.kind)).toEqual(['expiring']);
    const paused = plan(input({ now, claims: [c], paused: true }));
    expect(paused.notify).toEqual([]);
    // The badge still counts them.
    expect(paused.attention.map((a) => a.kind).sort()).toEqual(['expiring', 'handed']);
    expect(plan(input({ now, claims: [c], state: paused.state })).notify).toEqual([]);
  });

  it('announces only what is ahead on its first look (after an update, on a new profile)', () => {
    const handed = claim({ key: 'a', by: SAM });
    const ending = claim({ key: 'b', expiresAt: T0 + HOUR_MS });
    const p = plan(input({ claims: [handed, ending], state: EMPTY_REMINDER_STATE }));
    expect(p.notify.map((n) => `${n.kind} ${n.key}`)).toEqual(['expiring b']);
    expect(p.state.initialized).toBe(true);
  });

  it('reads stored settings and state defensively', () => {
    expect(readReminderSettings(null)).toEqual(DEFAULT_REMINDER_SETTINGS);
    expect(readReminderSettings({ leadMs: 5, handed: false })).toEqual({ ...DEFAULT_REMINDER_SETTINGS, handed: false });
    expect(readReminderSettings({ leadMs: HOUR_MS })).toMatchObject({ leadMs: HOUR_MS });
    expect(readReminderState('x')).toEqual(EMPTY_REMINDER_STATE);
  });

  it('round-trips notification ids', () => {
    const key = 'https://forum.example.org:8443 owner/repo/issues/4';
    expect(parseNoticeId(noticeId({ kind: 'expiring', epoch: 7, key }))).toEqual({ kind: 'expiring', epoch: 7, key });
    expect(parseNoticeId('other.thing')).toBeNull();
  });
});

describe('reminder words and badge', () => {
  it('counts claims, not reasons, and says what they are', () => {
    expect(badgeOf(englishT, [])).toEqual({ text: '', title: 'Tend' });
    const thread = { site: SITE, threadId: '1' };
    const b = badgeOf(englishT, [
      { kind: 'handed', key: 'a', thread, title: 'Login loops', expiresAt: 1 },
      { kind: 'expiring', key: 'a', thread, title: 'Login loops', expiresAt: 1 },
      { kind: 'expired', key: 'b', thread, title: null, expiresAt: 1 },
    ]);
    expect(b).toEqual({
      text: '2',
      title: 'Tend: 1 expiring soon, 1 expired, and 1 handed to you\n“Login loops”: handed to you\n“Login loops”: expiring soon\n“a thread on forum.example.org”: expired',
    });
    const many = Array.from({ length: 120 }, (_, i) => ({ kind: 'expired' as const, key: String(i), thread, title: `T${i}`, expiresAt: 1 }));
    const big = badgeOf(englishT, many);
    expect(big.text).toBe('99+');
    expect(big.title.split('\n')).toEqual(['Tend: 120 expired', '“T0”: expired', '“T1”: expired', '“T2”: expired', '“T3”: expired', '“T4”: expired', 'and 115 more']);
  });

  it('words each notification with the thread and the time left', () => {
    const c = claim({ title: null });
    const n = { kind: 'expiring' as const, key: c.key, thread: c.thread, title: 'Login loops', url: null, epoch: 1, expiresAt: T0 + 2 * HOUR_MS };
    expect(noticeText(englishT, n, T0, (m) => m)).toEqual({ title: 'Your claim is about to expire', message: '“Login loops”: 2 hr left. Renew it to keep it.' });
    expect(noticeText(englishT, { ...n, kind: 'handed', who: SAM, title: null }, T0, () => 'Sam').message).toBe('Sam handed you “a thread on forum.example.org”.');
    // The server's words where Tend has none; Tend's own, in the browser's language, where it has.
    expect(noticeText(englishT, { ...n, kind: 'refused', reason: 'Sam claimed this first' }, T0, (m) => m).message).toBe('“Login loops”: Sam claimed this first');
    expect(noticeText(englishT, { ...n, kind: 'refused', reason: 'Sam claimed this first', code: 'claim-held', detail: 'Sam' }, T0, (m) => m).message).toBe('“Login loops”: Sam claimed this first.');
    expect(noticeText(englishT, { ...n, kind: 'refused', reason: 'the claim expired', code: 'claim-expired' }, T0, (m) => m).message).toBe('“Login loops”: The claim expired.');
  });
});
