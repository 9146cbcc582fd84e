/**
 * "This helped" on one post, in the page: the button with its count. It opens the panel — who
 * said so and why, and my own note — in a page of Tend's own, framed in the browser's top
 * layer: above anything the page paints (a post that makes its own stacking context cannot
 * cover it), untouched by the page's opacity or filters, and out of the page's reach (it
 * cannot read the names and notes, nor listen to the note being typed).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';
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

/** Messages the framed panel sends over its private channel. */
type PanelMessage = { type: 'size'; height: number } | { type: 'close'; done: boolean };

export function EndorseControl(props: EndorseControlProps) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const pop = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const [src, setSrc] = useState<PanelFrame | null>(null);
  /** Places the open panel again (its height is known once its page has measured itself). */
  const placeRef = useRef<(() => void) | null>(null);

  const close = (focusBack: boolean) => {
    setOpen(false);
    setSrc(null);
    if (focusBack) button.current?.focus();
  };

  // Open: into the top layer, under the button, following it as the page scrolls.
  useEffect(() => {
    const box = pop.current;
    const b = button.current;
    if (!open || !box || !b) return;
    const win = b.ownerDocument.defaultView!;
    const place = () => {
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
    };
    f.contentWindow?.postMessage({ type: 'tend-panel', nonce: src.nonce }, src.origin, [channel.port2]);
    f.focus();
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
      {open && src && (
        <div ref={pop} class="tend-panel" popover="auto" role="presentation">
          <iframe ref={frame} src={src.src} title={props.ownPost ? t('ov_whoThankedYou') : t('ov_whoHelped')} onLoad={onLoad} />
        </div>
      )}
      {!open && props.error && <SecretText class="tend-error" text={props.error} />}
    </span>
  );
}
