/**
 * Tend's keyboard commands (the manifest's `commands`). The browser gives the background the
 * key press; for the commands about a page, the page's own Tend says which thread it shows, or
 * opens the thanks of the post in view itself (`entrypoints/content/app.tsx`).
 */

/** Commands that act on the page in front (besides `open-dashboard`). */
export const TEND_COMMANDS = ['claim-thread', 'endorse-post'] as const;
export type TendCommand = (typeof TEND_COMMANDS)[number];

/** The thread a page named in answer to `claim-thread`, checked; null for anything else. */
export function commandTarget(answer: unknown): { site: string; threadId: string } | null {
  if (!answer || typeof answer !== 'object') return null;
  const { site, threadId } = answer as { site?: unknown; threadId?: unknown };
  if (typeof site !== 'string' || typeof threadId !== 'string' || !site || !threadId || site.length > 300 || threadId.length > 300) return null;
  return { site, threadId };
}
