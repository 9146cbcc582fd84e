/** Small formatting helpers for Tend's pages; strings come from the translator. */
import type { Translate } from '../i18n';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** How long a lease has left: "23 h left", "40 min left", "3 d left". */
export function timeLeft(t: Translate, expiresAt: number, now: number): string {
  const ms = expiresAt - now;
  if (ms <= 0) return t('timeLeftExpired');
  if (ms < HOUR) return t('timeLeftMinutes', Math.max(1, Math.ceil(ms / MINUTE)));
  const hours = Math.floor(ms / HOUR);
  return hours < 48 ? t('timeLeftHours', hours) : t('timeLeftDays', Math.floor(hours / 24));
}

/** How long ago something happened: "just now", "5 min ago", "3 h ago", "2 d ago". */
export function timeAgo(t: Translate, at: number, now: number): string {
  const ms = Math.max(0, now - at);
  if (ms < MINUTE) return t('timeAgoNow');
  if (ms < HOUR) return t('timeAgoMinutes', Math.floor(ms / MINUTE));
  if (ms < 24 * HOUR) return t('timeAgoHours', Math.floor(ms / HOUR));
  return t('timeAgoDays', Math.floor(ms / (24 * HOUR)));
}

/** The host of a site id (`https://forum.example.org` → `forum.example.org`), or the id itself. */
export function hostOf(site: string): string {
  try {
    return new URL(site).host;
  } catch {
    return site;
  }
}

/** Only http(s) links are rendered as links: a stored URL is data from a web page. */
export function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
