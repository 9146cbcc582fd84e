/**
 * Pointing at the page: the element picker and the outlines the description editor draws.
 * Both live in one fixed, full-window layer of Tend's own (a shadow root the page's styles
 * cannot reach) and never change the page's elements: outlines are boxes drawn over them.
 *
 * The picker outlines what is under the pointer; a click chooses it, Escape cancels. While it
 * is on, the page gets no clicks (the layer takes them), so picking a link does not follow it.
 */

import { LAYER_TAG } from './tags';

export { LAYER_TAG };

const LAYER_CSS = `
:host { all: initial; position: fixed; inset: 0; z-index: 2147483646; pointer-events: none; }
:host([data-picking]) { pointer-events: auto; cursor: crosshair; }
.box { position: fixed; box-sizing: border-box; border: 2px solid var(--c, #0b6b5e); border-radius: 3px;
  background: color-mix(in srgb, var(--c, #0b6b5e) 10%, transparent); pointer-events: none; }
.hover { border-style: solid; border-width: 3px; --c: #d9480f; background: rgba(217, 72, 15, .12); }
.tip { position: fixed; left: 50%; top: 12px; transform: translateX(-50%); max-width: 80vw; padding: 8px 12px;
  border-radius: 8px; background: #1f2328; color: #fff; font: 13px/1.4 system-ui, sans-serif; box-shadow: 0 6px 24px rgba(0,0,0,.3); }
.label { position: fixed; padding: 1px 6px; border-radius: 4px; background: var(--c, #0b6b5e); color: #fff;
  font: 600 11px/1.5 system-ui, sans-serif; white-space: nowrap; pointer-events: none; }
`;

/** Colours per kind of field, so posts, authors and rows are told apart on the page. */
const COLOURS = ['#0b6b5e', '#1c64d8', '#8f3ccf', '#b42318', '#a15c00', '#1a7f37', '#9c1f6e'];

/** One set of elements to outline, with a label. */
export interface OutlineGroup {
  field: string;
  label: string;
  elements: readonly Element[];
}

/** Tend's drawing layer on a page. */
export class EditorLayer {
  private host: HTMLElement | null = null;
  private root: ShadowRoot | null = null;
  private groups: OutlineGroup[] = [];
  private frame = 0;
  private readonly redraw = () => {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  };
  private picking: { cancel: () => void } | null = null;

  constructor(private readonly doc: Document) {}

  private ensure(): ShadowRoot {
    if (this.root && this.host?.isConnected) return this.root;
    const host = this.doc.createElement(LAYER_TAG);
    const root = host.attachShadow({ mode: 'closed' });
    const style = this.doc.createElement('style');
    style.textContent = LAYER_CSS;
    root.append(style);
    (this.doc.body ?? this.doc.documentElement).append(host);
    this.host = host;
    this.root = root;
    const win = this.doc.defaultView;
    win?.addEventListener('scroll', this.redraw, { passive: true, capture: true });
    win?.addEventListener('resize', this.redraw, { passive: true });
    return root;
  }

  /** Outlines these groups (replacing any shown), and keeps them in place as the page scrolls. */
  outline(groups: OutlineGroup[]): void {
    this.groups = groups;
    if (!groups.length && !this.picking) return this.clear();
    this.ensure();
    this.draw();
  }

  private draw(): void {
    const root = this.root;
    if (!root) return;
    for (const el of Array.from(root.querySelectorAll('.box:not(.hover), .label'))) el.remove();
    const fragment = this.doc.createDocumentFragment();
    const height = this.doc.defaultView?.innerHeight ?? 0;
    this.groups.forEach((group, i) => {
      const colour = COLOURS[i % COLOURS.length]!;
      let labelled = false;
      for (const el of group.elements) {
        const r = el.getBoundingClientRect();
        // Only what is near the window: thousands of boxes nobody sees cost a frame.
        if (r.bottom < -200 || r.top > height + 200 || (r.width === 0 && r.height === 0)) continue;
        const box = this.doc.createElement('div');
        box.className = 'box';
        box.style.cssText = `--c:${colour};left:${r.left}px;top:${r.top}px;width:${r.width}px;height:${r.height}px`;
        fragment.append(box);
        if (!labelled) {
          labelled = true;
          const label = this.doc.createElement('div');
          label.className = 'label';
          label.textContent = group.label;
          label.style.cssText = `--c:${colour};left:${r.left}px;top:${Math.max(0, r.top - 18)}px`;
          fragment.append(label);
        }
      }
    });
    root.append(fragment);
  }

  /**
   * Lets the person pick an element: resolves with it, or with null when they press Escape
   * (or another pick starts). `accept` limits what can be picked (inside a post, say).
   */
  pick(prompt: string, accept: (el: Element) => boolean = () => true): Promise<Element | null> {
    this.picking?.cancel();
    const root = this.ensure();
    const host = this.host!;
    host.setAttribute('data-picking', '');
    const hover = this.doc.createElement('div');
    hover.className = 'box hover';
    hover.hidden = true;
    const tip = this.doc.createElement('div');
    tip.className = 'tip';
    tip.setAttribute('role', 'status');
    tip.textContent = prompt;
    root.append(hover, tip);
    const win = this.doc.defaultView!;

    return new Promise<Element | null>((resolve) => {
      let current: Element | null = null;
      const under = (x: number, y: number): Element | null => {
        for (const el of this.doc.elementsFromPoint(x, y)) {
          if (el === host || host.contains(el)) continue;
          if (accept(el)) return el;
        }
        return null;
      };
      const onMove = (e: MouseEvent) => {
        current = under(e.clientX, e.clientY);
        if (!current) {
          hover.hidden = true;
          return;
        }
        const r = current.getBoundingClientRect();
        hover.hidden = false;
        hover.style.cssText = `left:${r.left}px;top:${r.top}px;width:${r.width}px;height:${r.height}px`;
      };
      const stop = (e: Event) => {
        e.preventDefault();
        e.stopPropagation();
      };
      const onClick = (e: MouseEvent) => {
        stop(e);
        const chosen = under(e.clientX, e.clientY) ?? current;
        if (chosen) finish(chosen);
      };
      const onKey = (e: KeyboardEvent) => {
        if (e.key !== 'Escape') return;
        stop(e);
        finish(null);
      };
      const finish = (el: Element | null) => {
        host.removeEventListener('mousemove', onMove, true);
        host.removeEventListener('click', onClick, true);
        host.removeEventListener('mousedown', stop, true);
        host.removeEventListener('mouseup', stop, true);
        win.removeEventListener('keydown', onKey, true);
        host.removeAttribute('data-picking');
        hover.remove();
        tip.remove();
        this.picking = null;
        if (!this.groups.length) this.clear();
        resolve(el);
      };
      host.addEventListener('mousemove', onMove, true);
      host.addEventListener('click', onClick, true);
      host.addEventListener('mousedown', stop, true);
      host.addEventListener('mouseup', stop, true);
      win.addEventListener('keydown', onKey, true);
      this.picking = { cancel: () => finish(null) };
    });
  }

  /** Stops picking (resolving it with null). */
  cancelPick(): void {
    this.picking?.cancel();
  }

  /** Removes everything Tend drew. */
  clear(): void {
    this.picking?.cancel();
    cancelAnimationFrame(this.frame);
    const win = this.doc.defaultView;
    win?.removeEventListener('scroll', this.redraw, { capture: true });
    win?.removeEventListener('resize', this.redraw);
    this.host?.remove();
    this.host = null;
    this.root = null;
    this.groups = [];
  }
}
