/**
 * "This helped" on one post, in the page: the button with its count. It opens the panel — who
 * said so and why, and my own note — in a page of Tend's own, framed in the browser's top
 * layer: above anything the page paints (a post that makes its own stacking context cannot
 * cover it), untouched by the page's opacity or filters, and out of the page's reach (it
 * cannot read the names and notes, nor listen to the note being typed).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';
import { hitsOnly } from '../../lib/overlay/guard';
import { SecretText } from './SecretText';

/** The framed panel's address, the origin it loads as, and the secret it proves itself with. */
export interface PanelFrame {
  src: string;
  /** The extension's own origin: a changing address loads as it, and only it may get the channel. */
  origin: string;
  nonce: string;
}

export interface EndorseControlProps {
  count: number;
  /** I thanked this post (pending or accepted). */
  mine: boolean;
  /** The post is mine. */
  ownPost: boolean;
  /** Why the team server refused my last action here, lately. */
  error: string | null;
  /** The panel to frame for this post (a new secret each time). */
  panel: () => PanelFrame;
}

/**
 * Messages the framed panel sends over its private channel: its height, a wish to close, and
 * each pointer-down in it (at a point of its own), which this side judges — a framed page
 * cannot see what the page around it lays over it.
 */
type PanelMessage = { type: 'size'; height: number } | { type: 'close'; done: boolean } | { type: 'down'; id: number; x: number; y: number };

/** How long the panel must have been open, and in place, before a pointer-down in it counts. */
const PANEL_SETTLED_MS = 300;

export function EndorseControl(props: EndorseControlProps) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const pop = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const [src, setSrc] = useState<PanelFrame | null>(null);
  /** Places the open panel again (its height is known once its page has measured itself). */
  const placeRef = useRef<(() => void) | null>(null);
  /** When the open panel last moved. */
  const placedAt = useRef(0);

  // Closed at once; the framed page goes a moment later, once whatever it was handling (the
  // key press that closed it) has finished there.
  /** Whether the panel is open as of the last click or close, before any render catches up. */
  const openNow = useRef(false);
  const close = (focusBack: boolean) => {
    openNow.current = false;
    setOpen(false);
    setTimeout(() => {
      if (!openNow.current) setSrc(null);
    }, 100);
    if (focusBack) button.current?.focus();
  };

  // Open: into the top layer, under the button, following it as the page scrolls.
  useEffect(() => {
    const box = pop.current;
    const b = button.current;
    if (!open || !box || !b) return;
    const win = b.ownerDocument.defaultView!;
    const place = () => {
      const before = `${box.style.left} ${box.style.top} ${box.style.width}`;
      const r = b.getBoundingClientRect();
      const width = Math.min(320, win.innerWidth - 16);
      // Towards the page's middle: a button at the right (GitHub's and Stack Exchange's post
      // actions) gets the panel's right edge under its own, so it is never cut off.
      const fits = r.left + width <= win.innerWidth - 8;
      const left = Math.max(8, Math.min(fits ? r.left : r.right - width, win.innerWidth - width - 8));
      // Below the button, or above it where the window has no room below; never past an edge.
      const height = Math.min(box.offsetHeight || 160, win.innerHeight - 16);
      const below = r.bottom + 6;
      const top = below + height <= win.innerHeight - 8 || r.top - 6 - height < 8 ? Math.min(below, win.innerHeight - height - 8) : r.top - 6 - height;
      box.style.left = `${left}px`;
      box.style.top = `${Math.max(8, top)}px`;
      box.style.width = `${width}px`;
      if (`${box.style.left} ${box.style.top} ${box.style.width}` !== before) placedAt.current = performance.now();
    };
    placeRef.current = place;
    place();
    try {
      box.showPopover();
    } catch {
      // Without a top layer the panel still shows, fixed in place.
    }
    const onToggle = (e: Event) => {
      if ((e as ToggleEvent).newState === 'closed') close(false);
    };
    box.addEventListener('toggle', onToggle);
    win.addEventListener('scroll', place, { passive: true, capture: true });
    win.addEventListener('resize', place, { passive: true });
    return () => {
      placeRef.current = null;
      box.removeEventListener('toggle', onToggle);
      win.removeEventListener('scroll', place, { capture: true });
      win.removeEventListener('resize', place);
      try {
        box.hidePopover();
      } catch {
        // already closed
      }
    };
  }, [open]);

  // A private channel to the framed panel: handed over only to the frame's own origin, with the
  // secret from its address, so the page can neither listen nor pretend to be it.
  const onLoad = () => {
    const f = frame.current;
    if (!f || !src) return;
    const channel = new MessageChannel();
    channel.port1.onmessage = (e: MessageEvent<PanelMessage>) => {
      const m = e.data;
      if (m?.type === 'size' && Number.isFinite(m.height)) {
        f.style.height = `${Math.max(60, Math.min(480, Math.ceil(m.height)))}px`;
        placeRef.current?.();
      }
      else if (m?.type === 'close') close(true);
      else if (m?.type === 'down' && Number.isFinite(m.x) && Number.isFinite(m.y)) channel.port1.postMessage({ type: 'verdict', id: m.id, ok: plainlyOnTop(f, m.x, m.y) });
    };
    f.contentWindow?.postMessage({ type: 'tend-panel', nonce: src.nonce }, src.origin, [channel.port2]);
    f.focus();
  };

  /**
   * Whether a pointer-down at (x, y) in the framed panel landed on the panel as the person saw
   * it: the panel in place for a while, and nothing of the page's over that point — not even a
   * cover that lets clicks through.
   */
  const plainlyOnTop = (f: HTMLIFrameElement, x: number, y: number): boolean => {
    const root = f.getRootNode() as ShadowRoot;
    if (!root.host) return false;
    const r = f.getBoundingClientRect();
    const settled = performance.now() - placedAt.current >= PANEL_SETTLED_MS;
    return settled && x >= 0 && y >= 0 && x <= r.width && y <= r.height && hitsOnly(root.host as HTMLElement, root, r.left + x, r.top + y, f.ownerDocument);
  };

  const label = props.ownPost ? t('ov_ownPostLabel') : props.mine ? t('ov_youThanked') : t('ov_endorseLabel');
  return (
    <span class="tend-wrap">
      <button
        ref={button}
        type="button"
        class={`tend-btn${props.mine ? ' is-on' : ''}`}
        aria-expanded={open}
        aria-haspopup="dialog"
        title={label}
        onClick={() => {
          if (open) return close(false);
          openNow.current = true;
          setSrc(props.panel());
          setOpen(true);
        }}
      >
        <span aria-hidden="true" class="tend-icon">
          {props.mine || (props.ownPost && props.count > 0) ? '♥' : '♡'}
        </span>
        <span>{props.ownPost ? (props.count > 0 ? t('ov_thankedBy') : t('ov_noThanksYet')) : t('ov_thisHelped')}</span>
        {props.count > 0 && (
          <span class="tend-count" aria-label={`(${props.count})`}>
            {props.count}
          </span>
        )}
      </button>
      {/* A new frame each time the panel opens (keyed by its secret): reopened before the last
          one went, a changed address differing only after `#` would not load the page again. */}
      {src && (
        <div ref={pop} class="tend-panel" popover="auto" role="presentation" style={open ? undefined : 'display: none'}>
          <iframe key={src.nonce} ref={frame} src={src.src} title={props.ownPost ? t('ov_whoThankedYou') : t('ov_whoHelped')} onLoad={onLoad} />
        </div>
      )}
      {!open && props.error && <SecretText class="tend-error" text={props.error} />}
    </span>
  );
}
