/**
 * "This helped" on one post: the count, who said so with their notes, an optional note of
 * my own (at most 280 characters), and taking my thanks back. On my own post it is what it
 * can be there: who thanked me, and nothing to do. Every text is rendered as text, never as
 * HTML.
 */
import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';

/** One endorsement as shown. */
export interface EndorsementItem {
  actor: string;
  name: string;
  note: string | null;
  pending: boolean;
  mine: boolean;
}

export interface EndorseControlProps {
  endorsements: readonly EndorsementItem[];
  /** The post is mine: I cannot thank myself. */
  ownPost: boolean;
  busy: boolean;
  error: string | null;
  maxNote: number;
  /** Sends my thanks; resolves true once Tend has stored it (the panel then closes). */
  onEndorse: (note: string, event: Event) => Promise<boolean>;
  /** Takes my thanks back; resolves true once stored. */
  onRetract: (event: Event) => Promise<boolean>;
}

export function EndorseControl(props: EndorseControlProps) {
  const t = useT();
  const [open, setOpen] = useState(false);
  // Opens towards the page's middle: a button at the right edge (GitHub's and Stack Exchange's
  // post actions) gets its panel aligned to its right, so it is never cut off.
  const [alignEnd, setAlignEnd] = useState(false);
  const [note, setNote] = useState('');
  const popId = useId();
  const noteId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const mine = props.endorsements.find((e) => e.mine);
  const count = props.endorsements.length;

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  // A layout effect, so focus moves before the next keystroke can reach the page.
  useLayoutEffect(() => {
    if (!open) return;
    // Keyboard users land in the popover: on the note field, or its first control (also
    // after sending, when the form they were in is replaced).
    const root = buttonRef.current?.getRootNode() as ShadowRoot | undefined;
    const pop = root?.querySelector<HTMLElement>('.tend-pop');
    const target = [...(pop?.querySelectorAll<HTMLElement>('textarea, button') ?? [])].find((el) => !(el as HTMLButtonElement).disabled) ?? pop;
    target?.focus();
  }, [open, Boolean(mine), props.busy]);

  // Done: the panel closes and focus returns to the button, as after any finished dialog.
  const closeIfDone = (done: Promise<boolean>) =>
    void done.then((stored) => {
      if (stored) {
        setNote('');
        close();
      }
    });

  const own = props.ownPost;
  const label = own ? t('ov_ownPostLabel') : mine ? t('ov_youThanked') : t('ov_endorseLabel');
  return (
    <span class={open ? 'tend-wrap is-open' : 'tend-wrap'}>
      <button
        ref={buttonRef}
        type="button"
        class={`tend-btn${mine ? ' is-on' : ''}`}
        aria-expanded={open}
        aria-controls={popId}
        aria-pressed={Boolean(mine)}
        title={label}
        onClick={() => {
          if (!open) setAlignEnd(opensPastRightEdge(buttonRef.current));
          setOpen(!open);
        }}
      >
        <span aria-hidden="true" class="tend-icon">{mine || (own && count > 0) ? '♥' : '♡'}</span>
        <span>{own ? (count > 0 ? t('ov_thankedBy') : t('ov_noThanksYet')) : t('ov_thisHelped')}</span>
        {count > 0 && (
          <span class="tend-count" aria-label={`(${count})`}>
            {count}
          </span>
        )}
      </button>
      {open && (
        <div
          id={popId}
          class={alignEnd ? 'tend-pop is-end' : 'tend-pop'}
          role="dialog"
          tabIndex={-1}
          aria-label={own ? t('ov_whoThankedYou') : t('ov_whoHelped')}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
        >
          <p class="tend-pop-title">{own ? t('ov_whoThankedYou') : t('ov_whoHelped')}</p>
          {count === 0 ? (
            <p class="tend-muted">{own ? t('ov_nobodyThankedYou') : t('ov_nobodyYet')}</p>
          ) : (
            <ul class="tend-list">
              {props.endorsements.map((e) => (
                <li key={e.actor}>
                  <strong>{e.name}</strong>
                  {e.pending && <span class="tend-muted"> · {t('ov_pending')}</span>}
                  {e.note && <q class="tend-note">{e.note}</q>}
                </li>
              ))}
            </ul>
          )}
          {own ? null : mine ? (
            <div class="tend-row">
              <button type="button" class="tend-btn" disabled={props.busy} onClick={(e) => closeIfDone(props.onRetract(e))}>
                {t('ov_retract')}
              </button>
            </div>
          ) : (
            <form
              class="tend-form"
              onSubmit={(e) => {
                e.preventDefault();
                closeIfDone(props.onEndorse(note.trim(), e));
              }}
            >
              <label for={noteId}>{t('ov_noteLabel')}</label>
              <textarea
                id={noteId}
                rows={2}
                maxLength={props.maxNote}
                placeholder={t('ov_notePlaceholder')}
                value={note}
                onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)}
              />
              <div class="tend-row">
                <span class="tend-muted" aria-live="polite">{t('ov_charsLeft', props.maxNote - note.length)}</span>
                <button type="submit" class="tend-btn is-primary" disabled={props.busy}>
                  {t('ov_send')}
                </button>
              </div>
            </form>
          )}
          {props.error && (
            <p class="tend-error" role="alert">
              {props.error}
            </p>
          )}
          <button type="button" class="tend-close" aria-label={t('ov_close')} onClick={close}>
            ×
          </button>
        </div>
      )}
      {!open && props.error && (
        <span class="tend-error" role="alert">
          {props.error}
        </span>
      )}
    </span>
  );
}

/** Width the panel takes (`.tend-pop` in styles.ts) and the margin it keeps from the window's edge. */
const POP_ROOM = 300 + 12;

/** Whether a panel opened at the button's left edge would run past the window's right edge (read once, on a click). */
function opensPastRightEdge(button: HTMLElement | null): boolean {
  if (!button) return false;
  const rect = button.getBoundingClientRect();
  const width = button.ownerDocument.documentElement.clientWidth || window.innerWidth;
  return rect.left + POP_ROOM > width && rect.right >= POP_ROOM;
}
