/** Small formatting helpers for Tend's pages (durations are in components/time.ts). */

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
