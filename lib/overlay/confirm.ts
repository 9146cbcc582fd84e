/**
 * Tend's own "are you sure?", for an action whose control Tend could not see being plainly
 * visible. It opens in the browser's top layer, above anything the page paints and untouched
 * by the page's opacity, filters or transforms, inside Tend's closed shadow root. Its "yes"
 * waits a moment before it can be pressed, so a click aimed at something else cannot land on
 * it, and it acts only for a real click that lands on it.
 */
import { hitsOnly } from './guard';

/** How long the "yes" button waits before it can be pressed. */
export const ARM_MS = 600;

/** The words of one confirmation. */
export interface ConfirmText {
  title: string;
  body: string;
  yes: string;
  no: string;
}

/** Asks, near `host`; resolves true only for a real, deliberate "yes". */
export function confirmInTend(root: ShadowRoot, host: HTMLElement, text: ConfirmText): Promise<boolean> {
  const doc = host.ownerDocument;
  const win = doc.defaultView!;
  root.querySelector('.tend-confirm')?.remove();
  const box = doc.createElement('div');
  box.className = 'tend-confirm';
  box.setAttribute('popover', 'manual');
  box.setAttribute('role', 'alertdialog');
  box.setAttribute('aria-modal', 'false');
  const id = `tend-confirm-${Math.random().toString(36).slice(2)}`;
  box.setAttribute('aria-labelledby', `${id}-t`);
  box.setAttribute('aria-describedby', `${id}-b`);
  const title = doc.createElement('p');
  title.className = 'tend-confirm-title';
  title.id = `${id}-t`;
  title.textContent = text.title;
  const body = doc.createElement('p');
  body.className = 'tend-muted';
  body.id = `${id}-b`;
  body.textContent = text.body;
  const row = doc.createElement('div');
  row.className = 'tend-row';
  const no = doc.createElement('button');
  no.type = 'button';
  no.className = 'tend-btn';
  no.textContent = text.no;
  const yes = doc.createElement('button');
  yes.type = 'button';
  yes.className = 'tend-btn is-primary';
  yes.textContent = text.yes;
  yes.disabled = true;
  row.append(no, yes);
  box.append(title, body, row);
  root.append(box);

  const place = () => {
    const r = host.getBoundingClientRect();
    const width = Math.min(320, win.innerWidth - 16);
    const left = Math.max(8, Math.min(r.left, win.innerWidth - width - 8));
    const below = r.bottom + 8;
    const top = below + 140 < win.innerHeight ? below : Math.max(8, r.top - 148);
    box.style.cssText = `position:fixed;inset:auto;left:${left}px;top:${top}px;width:${width}px;margin:0`;
  };
  place();
  try {
    box.showPopover();
  } catch {
    // No top layer (an old browser): the box still shows in place, inside Tend's root.
  }
  no.focus();

  return new Promise<boolean>((resolve) => {
    let armed = false;
    let pressed = false;
    const arm = win.setTimeout(() => {
      armed = true;
      yes.disabled = false;
    }, ARM_MS);
    const finish = (answer: boolean) => {
      win.clearTimeout(arm);
      win.removeEventListener('scroll', place, true);
      win.removeEventListener('resize', place);
      box.removeEventListener('keydown', onKey);
      try {
        box.hidePopover();
      } catch {
        // already hidden
      }
      box.remove();
      resolve(answer);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        finish(false);
      }
    };
    // "Yes" counts only where it is what the pointer went down on, on top of everything.
    yes.addEventListener('pointerdown', (e) => {
      const inner = root.elementFromPoint?.(e.clientX, e.clientY) ?? yes;
      pressed = e.isTrusted && armed && hitsOnly(host, root, e.clientX, e.clientY, doc) && (inner === yes || yes.contains(inner));
    });
    yes.addEventListener('click', (e) => {
      if (!e.isTrusted || !armed) return;
      // A keyboard press (no pointer) is deliberate; a pointer press must have landed on it.
      if (e.detail > 0 && !pressed) return;
      finish(true);
    });
    no.addEventListener('click', () => finish(false));
    box.addEventListener('keydown', onKey);
    win.addEventListener('scroll', place, { passive: true, capture: true });
    win.addEventListener('resize', place, { passive: true });
  });
}
