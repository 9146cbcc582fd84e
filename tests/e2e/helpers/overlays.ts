/**
 * Reaching into Tend's overlays in the test build (open shadow roots): the endorse panel lives
 * in a framed page of Tend's own, inside the overlay's top-layer popover.
 */
import type { FrameLocator, Locator } from 'playwright-core';

/** The endorse toggle of a post overlay. */
export const endorseToggle = (overlay: Locator): Locator => overlay.locator('button[aria-expanded]');

/** The framed endorse panel of a post overlay (open it first). */
export const endorsePanel = (overlay: Locator): FrameLocator => overlay.locator('.tend-panel:popover-open iframe').contentFrame();

/** How many endorse panels the overlay has open (0 or 1; a closed one's frame goes a moment later). */
export const panelsOpen = (overlay: Locator): Promise<number> => overlay.locator('.tend-panel:popover-open iframe').count();

/** The visible text of the open endorse panel. */
export const panelText = (overlay: Locator): Promise<string> => endorsePanel(overlay).locator('body').innerText();

/** Opens the panel, writes a note, sends it and waits for the panel to close. */
export async function sendThanks(overlay: Locator, note: string): Promise<void> {
  await endorseToggle(overlay).click();
  const panel = endorsePanel(overlay);
  await panel.getByLabel(/Why did it help/).fill(note);
  await humanPause();
  await panel.getByRole('button', { name: 'Send thanks' }).click();
  for (let i = 0; i < 100 && (await panelsOpen(overlay)) > 0; i++) await new Promise((r) => setTimeout(r, 50));
}

/**
 * A person's pause between seeing a control and clicking it. Tend acts on a click only when
 * its control was plainly visible for a moment before the pointer went down (so a page cannot
 * flash it under the pointer); a test that clicks the instant a control appears would be
 * asked to confirm, as a page racing the pointer is.
 */
export const HUMAN_PAUSE_MS = 400;

/** Waits as a person would before clicking something that just appeared. */
export function humanPause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, HUMAN_PAUSE_MS));
}

/**
 * An overlay's text as a person reads it: teammates' names, which Tend draws on a canvas out
 * of the page's reach, read as the canvas's label.
 */
export const shadowText = (overlay: Locator): Promise<string> =>
  overlay.evaluate((host) => {
    const readable = (node: Node): string => {
      if (node.nodeType === Node.TEXT_NODE) return (node as Text).data;
      if (node instanceof Element) {
        if (node.localName === 'style' || node.localName === 'script') return '';
        if (node.getAttribute('role') === 'img' && node.hasAttribute('aria-label')) return node.getAttribute('aria-label') ?? '';
      }
      let out = '';
      for (let c = node.firstChild; c; c = c.nextSibling) out += readable(c);
      return out;
    };
    return host.shadowRoot ? readable(host.shadowRoot) : '';
  });

/** Opens the post's panel and waits for its page to have loaded what it shows. */
export async function openPanel(overlay: Locator): Promise<void> {
  await endorseToggle(overlay).click();
  await endorsePanel(overlay).locator('[role="dialog"]').waitFor();
  for (let i = 0; i < 100 && /Loading/.test(await panelText(overlay)); i++) await new Promise((r) => setTimeout(r, 50));
}
