/**
 * What a hostile forum page does to Tend's overlays, for tests of the click guard in any
 * browser: make a control see-through, or lay a decoy over it that lets clicks through to it.
 * And how a test tells that Tend asked the person before acting, whichever way it asks: the
 * browser's own dialog (`window.confirm`) or a confirmation in Tend's own UI inside the
 * overlay (an `alertdialog`).
 */
import type { Overlay, TendPage } from './driver';

/** Makes every ancestor-level wrapper of the overlay host see-through: the host's parent gets `opacity`. */
export async function makeTransparent(page: TendPage, hostSelector: string, opacity = 0): Promise<void> {
  await page.evaluate(
    ({ selector, opacity }) => {
      const host = document.querySelector(selector);
      if (!host?.parentElement) throw new Error(`no overlay host ${selector}`);
      host.parentElement.style.opacity = String(opacity);
    },
    { selector: hostSelector, opacity },
  );
}

/**
 * Lays an opaque decoy exactly over the overlay host, as a clickjacking page would: the person
 * sees the decoy's words, and with `passClicks` (`pointer-events: none`) their click lands on
 * Tend's control underneath. Follows the host if the page scrolls.
 */
export async function coverWithDecoy(page: TendPage, hostSelector: string, options: { passClicks?: boolean; words?: string } = {}): Promise<void> {
  await page.evaluate(
    ({ selector, passClicks, words }) => {
      const host = document.querySelector(selector);
      if (!host) throw new Error(`no overlay host ${selector}`);
      const decoy = document.createElement('div');
      decoy.className = 'decoy';
      decoy.textContent = words;
      decoy.style.cssText = `position:fixed;z-index:2147483647;background:#fc0;color:#000;font:bold 14px sans-serif;display:flex;align-items:center;justify-content:center;${passClicks ? 'pointer-events:none;' : ''}`;
      const place = () => {
        const r = host.getBoundingClientRect();
        Object.assign(decoy.style, { left: `${r.left - 4}px`, top: `${r.top - 4}px`, width: `${r.width + 8}px`, height: `${r.height + 8}px` });
      };
      place();
      addEventListener('scroll', place, { passive: true });
      document.body.append(decoy);
    },
    { selector: hostSelector, passClicks: options.passClicks ?? true, words: options.words ?? 'Click to claim your prize' },
  );
}

/** Tend asking the person before acting, as a test sees it. */
export interface Confirmations {
  /** How many times Tend has asked so far (browser dialogs, plus Tend's own confirmation showing in `overlay`). */
  asked(overlay?: Overlay): Promise<number>;
  /** The words of the browser dialogs seen. */
  readonly messages: string[];
}

/**
 * Watches for Tend's confirmations on `page` and answers the browser's own dialogs with
 * `answer` (a test that says yes to Tend's own UI clicks its button, see `confirmInOverlay`).
 */
export function watchConfirmations(page: TendPage, answer: 'accept' | 'dismiss'): Confirmations {
  const dialogs = page.answerDialogs(answer);
  return {
    messages: dialogs.messages,
    async asked(overlay) {
      const inTend = overlay ? await overlay.count({ role: 'alertdialog' }) : 0;
      return dialogs.messages.length + inTend;
    },
  };
}

/** Says yes in Tend's own confirmation inside `overlay`: its last button, once it can be pressed. */
export async function confirmInOverlay(overlay: Overlay): Promise<void> {
  await overlay.click({ css: '[role="alertdialog"] button:last-of-type:not([disabled])' }, { timeoutMs: 5_000 });
}
