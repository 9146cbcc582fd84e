/**
 * Tend's controls as the flows name them, in one place: where each overlay is on a Discourse
 * page and how a person thanks, takes thanks back and claims. When a control changes shape,
 * this file changes, not every flow.
 */
import { expect } from 'vitest';
import type { Overlay, TendPage } from '../browsers';
import { formatViolations } from '../helpers/a11y';

/** Every post overlay on the page. */
export const POST_OVERLAYS = 'tend-overlay[data-tend-kind="post"]';
/** The topic's claim bar. */
export const CLAIM_BAR = 'tend-overlay[data-tend-kind="thread"]';
/** The state chips on a topic list. */
export const ROW_CHIPS = 'tend-overlay[data-tend-kind="thread-row"]';

/** The overlay of post `n` (Discourse's `#post_N`). */
export const postOverlay = (page: TendPage, n: number): Overlay => page.overlay(`#post_${n} tend-overlay`);
/** The topic's claim bar. */
export const claimBar = (page: TendPage): Overlay => page.overlay(CLAIM_BAR);
/** The `index`-th state chip of a topic list. */
export const rowChip = (page: TendPage, index: number): Overlay => page.overlay(ROW_CHIPS, index);

/** The button that opens a post's thanks panel (its name carries the count). */
export const THANKS_TOGGLE = { css: 'button[aria-expanded]' } as const;
/** The thanks panel itself, inside the framed page of Tend's own that the overlay opens. */
export const THANKS_PANEL = { role: 'dialog' } as const;
/** The frame that holds the panel, in the overlay, while it is open (it goes a moment after closing). */
export const PANEL_FRAME = '.tend-panel:popover-open iframe';

/** Whether the post's thanks panel is open. */
export async function thanksOpen(post: Overlay): Promise<boolean> {
  return (await post.count(PANEL_FRAME)) > 0;
}

/** Opens the post's thanks panel (if closed) and returns its text once it has loaded. */
export async function openThanks(post: Overlay): Promise<string> {
  if (!(await thanksOpen(post))) await post.click(THANKS_TOGGLE);
  await expect.poll(() => post.panel().count(THANKS_PANEL)).toBe(1);
  // Loaded: the list (or "nobody yet") is there, not the loading line.
  await expect.poll(() => post.panel().text(THANKS_PANEL)).not.toMatch(/Loading/);
  return post.panel().text(THANKS_PANEL);
}

/** Closes the post's thanks panel (if open) with its close button. */
export async function closeThanks(post: Overlay): Promise<void> {
  if (await thanksOpen(post)) await post.panel().click({ role: 'button', name: 'Close' });
  await expect.poll(() => thanksOpen(post)).toBe(false);
}

/** Says "this helped" with a note; the panel closes by itself once the thanks is stored. */
export async function thank(post: Overlay, note: string): Promise<void> {
  await openThanks(post);
  await post.panel().fill({ css: 'textarea' }, note);
  await post.panel().click({ role: 'button', name: 'Send thanks' });
  await expect.poll(() => thanksOpen(post)).toBe(false);
}

/** Takes my thanks back from the post's panel; it closes once done. */
export async function takeBackThanks(post: Overlay): Promise<void> {
  await openThanks(post);
  await post.panel().click({ role: 'button', name: 'Take back my thanks' });
  await expect.poll(() => thanksOpen(post)).toBe(false);
}

/** The thanks count the post's button shows (0 without a count). */
export async function thanksCount(post: Overlay): Promise<number> {
  const text = await post.text(THANKS_TOGGLE);
  const m = /(\d+)\s*$/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** No serious or critical axe-core violation on the page (or within `include`). */
export async function expectAccessible(page: TendPage, include?: string): Promise<void> {
  const violations = await page.accessibilityViolations(include ? { include } : {});
  expect(violations, formatViolations(violations)).toEqual([]);
}
