/**
 * The words of reminders: each notification's title and message, and the toolbar badge's
 * count and title. Durations come from `time.ts`, numbers from `Intl`, in Tend's language.
 */
import type { Attention, Notice } from '../lib/reminders/plan';
import { errorText } from './errors';
import type { Translate } from './i18n';
import { hostOf } from './popup/format';
import { localeOf, timeLeft } from './time';

/** A thread's name in a sentence: its title, else "a thread on <host>". */
export function threadName(t: Translate, n: { title: string | null; thread: { site: string } }): string {
  const title = n.title?.trim();
  return title ? title : t('remindUntitled', hostOf(n.thread.site));
}

/** A notification's title and message. `name` resolves member ids. */
export function noticeText(t: Translate, n: Notice, now: number, name: (member: string) => string): { title: string; message: string } {
  const thread = threadName(t, n);
  switch (n.kind) {
    case 'expiring':
      return { title: t('remindExpiringTitle'), message: t('remindExpiringBody', thread, timeLeft(t, n.expiresAt, now)) };
    case 'expired':
      return { title: t('remindExpiredTitle'), message: t('remindExpiredBody', thread) };
    case 'handed':
      return { title: t('remindHandedTitle'), message: t('remindHandedBody', n.who ? name(n.who) : t('remindSomeone'), thread) };
    case 'taken':
      return n.who
        ? { title: t('remindTakenTitle'), message: t('remindTakenBody', name(n.who), thread) }
        : { title: t('remindTakenTitle'), message: t('remindReleasedBody', thread) };
    case 'refused':
      // In Tend's words where it has them (the browser's language), else the team server's own.
      return { title: t('remindRefusedTitle'), message: t('remindRefusedBody', thread, errorText(t, { error: n.reason ?? '', code: n.code, detail: n.detail })) };
  }
}

/** How many claims the badge's title names one by one. */
const NAMED = 5;

/** The badge: how many of my claims need attention ("" for none, "99+" past 99) and a title saying what they are. */
export function badgeOf(t: Translate, attention: readonly Attention[]): { text: string; title: string } {
  if (!attention.length) return { text: '', title: t('extName') };
  const count = (kind: Attention['kind']) => attention.filter((a) => a.kind === kind).length;
  const number = new Intl.NumberFormat(localeOf(t));
  const parts = [
    [count('expiring'), 'badgeExpiring'],
    [count('expired'), 'badgeExpired'],
    [count('handed'), 'badgeHanded'],
  ] as const;
  const said = parts.filter(([n]) => n > 0).map(([n, key]) => t(key, number.format(n)));
  const list = new Intl.ListFormat(localeOf(t), { style: 'long', type: 'conjunction' }).format(said);
  // A claim handed to me that is also ending soon is one claim.
  const claims = new Set(attention.map((a) => a.key)).size;
  // Then each claim by name, one a line (the toolbar shows the title as a tooltip).
  const lines = attention.slice(0, NAMED).map((a) => t(a.kind === 'expiring' ? 'badgeLineExpiring' : a.kind === 'expired' ? 'badgeLineExpired' : 'badgeLineHanded', threadName(t, a)));
  if (attention.length > NAMED) lines.push(t('heldMore', number.format(attention.length - NAMED)));
  return {
    text: claims > 99 ? '99+' : number.format(claims),
    title: [t('badgeTitle', list), ...lines].join('\n'),
  };
}
