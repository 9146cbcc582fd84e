/**
 * Overlay buttons act only on trusted events and only while really visible, so a hostile
 * page can neither script a claim nor trick a click onto a hidden or covered Tend button.
 * Chrome's IntersectionObserver v2 (`trackVisibility`) is asked where it exists; elsewhere
 * (Firefox) a doubtful target — covered, transparent, hidden — is confirmed in a native
 * browser dialog, which the page cannot draw over.
 */

/** Decides whether an action from an event on an overlay host may go ahead. */
export type ActionGuard = (event: Event, host: HTMLElement, what: string) => Promise<boolean>;

interface GuardOptions {
  /** Asks the person to confirm a doubtful action (native dialog). */
  confirm: (what: string) => boolean;
}

const supportsV2 = () => typeof IntersectionObserverEntry !== 'undefined' && 'isVisible' in IntersectionObserverEntry.prototype;

/** Creates the guard for one page. */
export function createGuard(options: GuardOptions): ActionGuard {
  const v2 = supportsV2();
  const visible = new WeakMap<Element, boolean>();
  const observer = v2
    ? new IntersectionObserver(
        (entries) => {
          for (const e of entries) visible.set(e.target, Boolean((e as IntersectionObserverEntry & { isVisible?: boolean }).isVisible));
        },
        { threshold: [1], trackVisibility: true, delay: 100 } as IntersectionObserverInit,
      )
    : null;

  return async (event, host, what) => {
    if (!event.isTrusted) return false;
    if (observer) {
      // Visibility is tracked from the moment the pointer or focus reaches the control.
      if (!visible.has(host)) {
        observer.observe(host);
        await new Promise((r) => setTimeout(r, 150));
      }
      if (visible.get(host)) return true;
      return options.confirm(what);
    }
    return doubtful(event, host) ? options.confirm(what) : true;
  };
}

/** A click that did not land on our host, or a host that is hidden or see-through. */
function doubtful(event: Event, host: HTMLElement): boolean {
  const check = (host as HTMLElement & { checkVisibility?: (o: object) => boolean }).checkVisibility;
  if (check && !check.call(host, { opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true })) return true;
  if (event instanceof MouseEvent && (event.clientX || event.clientY)) {
    const top = host.ownerDocument.elementFromPoint(event.clientX, event.clientY);
    if (top !== host && !host.contains(top)) return true;
  }
  return false;
}
