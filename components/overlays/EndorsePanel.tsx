/**
 * What "This helped" opens: who said so and why, and — on someone else's post — a note of my
 * own (at most 280 characters) or taking my thanks back; on my own post, who thanked me and
 * nothing to do. It runs in a page of Tend's own framed into the forum page, so the page can
 * neither read the names and notes nor listen to what I type. Every text is text, never HTML.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';

/** One endorsement as shown. */
export interface EndorsementItem {
  actor: string;
  name: string;
  note: string | null;
  pending: boolean;
  mine: boolean;
}

export interface EndorsePanelProps {
  endorsements: readonly EndorsementItem[] | null;
  /** The post is mine: I cannot thank myself. */
  ownPost: boolean;
  busy: boolean;
  error: string | null;
  maxNote: number;
  /** Sends my thanks; resolves true once Tend has stored it (the panel then closes). */
  onEndorse: (note: string, event: Event) => Promise<boolean>;
  /** Takes my thanks back; resolves true once stored. */
  onRetract: (event: Event) => Promise<boolean>;
  /** Closes the panel (Escape, the close button, or done). */
  onClose: (done: boolean) => void;
}

export function EndorsePanel(props: EndorsePanelProps) {
  const t = useT();
  const [note, setNote] = useState('');
  const noteId = useId();
  const first = useRef<HTMLDivElement>(null);
  const list = props.endorsements;
  const mine = list?.find((e) => e.mine);
  const own = props.ownPost;

  // Keyboard users land in the panel: on the note field, or its first control. A framed page
  // may not take the focus before its frame has it (Chromium ignores the call), so the same
  // happens again when the frame is focused, unless something in it already has the focus.
  useLayoutEffect(() => {
    const doc = first.current?.ownerDocument;
    const win = doc?.defaultView;
    if (!doc || !win) return;
    const land = () => {
      const target = [...(first.current?.querySelectorAll<HTMLElement>('textarea, button') ?? [])].find((el) => !(el as HTMLButtonElement).disabled);
      target?.focus();
    };
    land();
    const onFocus = () => {
      if (!doc.activeElement || doc.activeElement === doc.body) land();
    };
    win.addEventListener('focus', onFocus);
    return () => win.removeEventListener('focus', onFocus);
  }, [Boolean(mine), list === null]);

  // Escape closes the panel wherever the focus is in its page (the frame itself, too), as the
  // key comes back up: the frame goes away only once the whole key press has reached it.
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const doc = first.current?.ownerDocument ?? document;
    let escaping = false;
    const onDown = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      escaping = true;
    };
    const onUp = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || !escaping) return;
      escaping = false;
      onClose.current(false);
    };
    doc.addEventListener('keydown', onDown);
    doc.addEventListener('keyup', onUp);
    return () => {
      doc.removeEventListener('keydown', onDown);
      doc.removeEventListener('keyup', onUp);
    };
  }, []);

  const closeIfDone = (done: Promise<boolean>) =>
    void done.then((stored) => {
      if (stored) {
        setNote('');
        props.onClose(true);
      }
    });

  return (
    <div
      ref={first}
      class="tend-pop"
      role="dialog"
      aria-label={own ? t('ov_whoThankedYou') : t('ov_whoHelped')}
    >
      <p class="tend-pop-title">{own ? t('ov_whoThankedYou') : t('ov_whoHelped')}</p>
      {list === null ? (
        <p class="tend-muted" role="status">
          {t('loading')}
        </p>
      ) : list.length === 0 ? (
        <p class="tend-muted">{own ? t('ov_nobodyThankedYou') : t('ov_nobodyYet')}</p>
      ) : (
        <ul class="tend-list">
          {list.map((e) => (
            <li key={e.actor}>
              <strong>{e.name || (e.mine ? t('ov_you') : t('ov_someone'))}</strong>
              {e.pending && <span class="tend-muted"> · {t('ov_pending')}</span>}
              {e.note && <q class="tend-note">{e.note}</q>}
            </li>
          ))}
        </ul>
      )}
      {own || list === null ? null : mine ? (
        <div class="tend-row">
          {props.busy && <span class="tend-muted" role="status">{t('ov_pending')}</span>}
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
            <span class="tend-muted" aria-live="polite">
              {props.busy ? t('ov_pending') : t('ov_charsLeft', props.maxNote - note.length)}
            </span>
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
      <button type="button" class="tend-close" aria-label={t('ov_close')} onClick={() => props.onClose(false)}>
        ×
      </button>
    </div>
  );
}
