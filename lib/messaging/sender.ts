/**
 * Who sent a message. The background trusts nothing from a content script beyond the tab
 * it came from: the sender must be this extension, a tab, and every ref it names must belong
 * to that tab's origin (aliases folded). Extension pages are recognised by their URL.
 */
import { canonicalSite } from '../domain';

/** The parts of `runtime.MessageSender` (or a port's sender) the checks read. */
export interface SenderLike {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { id?: number; incognito?: boolean };
  frameId?: number;
}

export type SenderKind =
  | { kind: 'page'; tabId?: number }
  | { kind: 'content'; site: string; origin: string; tabId: number | undefined; incognito: boolean }
  | { kind: 'refused'; reason: string };

/** Classifies a sender against this extension's id and base URL (`chrome-extension://<id>/`). */
export function classifySender(sender: SenderLike | undefined, runtimeId: string, extensionBase: string): SenderKind {
  if (!sender || sender.id !== runtimeId) return { kind: 'refused', reason: 'message from another extension or page' };
  if (sender.url?.startsWith(extensionBase)) return sender.tab?.id !== undefined ? { kind: 'page', tabId: sender.tab.id } : { kind: 'page' };
  if (!sender.tab) return { kind: 'refused', reason: 'content requests must come from a tab' };
  const origin = sender.origin && sender.origin !== 'null' ? sender.origin : sender.url ? safeOrigin(sender.url) : null;
  if (!origin) return { kind: 'refused', reason: 'sender has no origin' };
  let site: string;
  try {
    site = canonicalSite(origin);
  } catch {
    return { kind: 'refused', reason: `Tend does not run on ${origin}` };
  }
  return { kind: 'content', site, origin, tabId: sender.tab.id, incognito: Boolean(sender.tab.incognito) };
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Every `site` named anywhere in a validated request (refs, lists of refs, the page's site). */
export function sitesIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) sitesIn(item, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'site' && typeof v === 'string') out.add(v);
      else if (typeof v === 'object') sitesIn(v, out);
    }
  }
  return out;
}
