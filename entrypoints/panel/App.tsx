/**
 * The framed endorse panel: reads one post's endorsements from the background, follows them
 * live, and thanks or takes thanks back. It talks to the content script that framed it only
 * over a channel handed to it with the secret from its own address.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { EndorsePanel, type EndorsementItem } from '../../components/overlays/EndorsePanel';
import { useT } from '../../components/i18n';
import { errorText } from '../../components/errors';
import { MAX_NOTE_LENGTH } from '../../lib/domain/limits';
import { postKey, type PostRef } from '../../lib/domain/refs';
import { request, subscribe } from '../../lib/messaging/client';

/** What the content script puts in the panel's address. */
export interface PanelParams {
  post: PostRef;
  author: string;
  viewer: string | null;
  own: boolean;
  theme: 'light' | 'dark';
  /** The platform and host whose look the overlay has (components/overlays/looks.ts). */
  platform: string;
  host: string;
  nonce: string;
}

/** The parameters in `#s=…&t=…&p=…&a=…&v=…&own=1&theme=dark&pl=…&h=…&n=…`, or null when they are not all there. */
export function readParams(hash: string): PanelParams | null {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const site = q.get('s');
  const threadId = q.get('t');
  const postId = q.get('p');
  const author = q.get('a');
  const nonce = q.get('n');
  if (!site || !threadId || !postId || !author || !nonce) return null;
  return {
    post: { site, threadId, postId },
    author,
    viewer: q.get('v') || null,
    own: q.get('own') === '1',
    theme: q.get('theme') === 'dark' ? 'dark' : 'light',
    platform: /^[a-z0-9-]{1,32}$/.test(q.get('pl') ?? '') ? q.get('pl')! : '',
    host: /^[a-z0-9.-]{1,253}$/.test(q.get('h') ?? '') ? q.get('h')! : '',
    nonce,
  };
}

/** How long the panel must have been plainly visible before a click in it acts. */
const MIN_VISIBLE_MS = 300;
/** How long to wait for the framer's word on a pointer-down before taking it as no. */
const VERDICT_WAIT_MS = 1_000;
/** A pointer-down this long before an action still counts as what caused it. */
const POINTER_TO_ACTION_MS = 5_000;

export function App({ params, port: portReady }: { params: PanelParams | null; port: Promise<MessagePort> }) {
  const t = useT();
  const [items, setItems] = useState<EndorsementItem[] | null>(null);
  /**
   * Whether the framer's channel has arrived. It is handed over just before the framer focuses
   * this frame, so the panel shows its controls (and puts the focus on them) only after that:
   * a frame that takes the focus before it has it is ignored by Chromium.
   */
  const [connected, setConnected] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const port = useRef<MessagePort | null>(null);
  const visibleSince = useRef<number | null>(null);
  /** When the pointer last went down in the panel, and what the framer made of it. */
  const pointerDownAt = useRef<number | null>(null);
  const downVerdict = useRef<Promise<boolean>>(Promise.resolve(false));
  const downs = useRef(0);
  const pendingVerdicts = useRef(new Map<number, (ok: boolean) => void>());
  /** After a click Tend could not judge, when a second one may go ahead. */
  const confirmFrom = useRef<number | null>(null);

  useEffect(() => {
    if (!params) return;
    // The channel to the content script, proven by the secret only it and this address know.
    void portReady.then((p) => {
      port.current = p;
      setConnected(true);
      p.onmessage = (e: MessageEvent<{ type?: unknown; id?: unknown; ok?: unknown }>) => {
        if (e.data?.type !== 'verdict' || typeof e.data.id !== 'number') return;
        pendingVerdicts.current.get(e.data.id)?.(e.data.ok === true);
        pendingVerdicts.current.delete(e.data.id);
      };
      sendSize();
    });
    const sendSize = () => {
      const box = document.querySelector<HTMLElement>('.tend-pop');
      port.current?.postMessage({ type: 'size', height: box ? box.offsetHeight : document.body.scrollHeight });
    };
    // Each pointer-down is judged by the content script that framed this page too: only it can
    // see whether the page lays anything over the panel there.
    const onPointerDown = (e: PointerEvent) => {
      if (!e.isTrusted) return;
      pointerDownAt.current = e.timeStamp;
      const id = ++downs.current;
      const p = port.current;
      downVerdict.current = p
        ? new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), VERDICT_WAIT_MS);
            pendingVerdicts.current.set(id, (ok) => {
              clearTimeout(timer);
              resolve(ok);
            });
            p.postMessage({ type: 'down', id, x: e.clientX, y: e.clientY });
          })
        : Promise.resolve(false);
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    const sizes = new ResizeObserver(sendSize);
    sizes.observe(document.documentElement);

    const key = postKey(params.post);
    const apply = (posts: Record<string, { endorsements: EndorsementItem[] }>) => {
      const state = posts[key];
      setItems(state ? state.endorsements : []);
    };
    void request({ type: 'state.get', posts: [params.post], threads: [] }).then((r) => (r.ok ? apply(r.value.posts) : setError(errorText(t, r))));
    const sub = subscribe((push) => push.type === 'state' && apply(push.state.posts));
    sub.watch({ posts: [params.post], threads: [] });

    // Where the browser can tell (Chrome), a click acts only if the panel was plainly visible
    // before it: the page cannot slip something over it and make a click land here.
    let v2: IntersectionObserver | null = null;
    if (typeof IntersectionObserverEntry !== 'undefined' && 'isVisible' in IntersectionObserverEntry.prototype) {
      v2 = new IntersectionObserver(
        (entries) => {
          for (const e of entries) visibleSince.current = (e as IntersectionObserverEntry & { isVisible?: boolean }).isVisible ? (visibleSince.current ?? e.time) : null;
        },
        { threshold: [0, 1], trackVisibility: true, delay: 100 } as IntersectionObserverInit,
      );
      // The panel's box, once it is there.
      const watchBox = () => {
        const box = document.querySelector('.tend-pop');
        if (box) v2!.observe(box);
        else requestAnimationFrame(watchBox);
      };
      watchBox();
    } else visibleSince.current = 0;
    return () => {
      document.removeEventListener('pointerdown', onPointerDown, true);
      sizes.disconnect();
      sub.close();
      v2?.disconnect();
    };
  }, []);

  if (!params) return <p class="tend-error">{t('loadError', 'no post')}</p>;

  /** Whether the last pointer-down (if the action came from one) caused it. */
  const byPointer = (event: Event) => pointerDownAt.current !== null && event.timeStamp - pointerDownAt.current < POINTER_TO_ACTION_MS;
  // A pointer press counts when the panel was plainly visible for a while before the pointer
  // went down; a key press (no pointer lately), when it is plainly visible now.
  const plainlySeen = (event: Event): boolean => {
    const since = visibleSince.current;
    if (since === null) return false;
    return byPointer(event) ? pointerDownAt.current! - since >= MIN_VISIBLE_MS : true;
  };
  const run = async (event: Event, send: () => ReturnType<typeof request<'post.endorse'>>): Promise<boolean> => {
    setError(null);
    // Only a panel Tend framed acts: its framer proved itself with the secret. A page that
    // frames this address on its own (with a post and author of its choosing) gets no channel.
    if (!event.isTrusted || !port.current) return false;
    // Pending from the click's next frame, before the framer's word or the store's answer.
    setBusy(true);
    const refuse = (message: string) => {
      setBusy(false);
      setError(message);
      return false;
    };
    // Something of the page's over the panel where the pointer went down: refused, however often.
    if (byPointer(event) && !(await downVerdict.current)) return refuse(t('ov_panelCovered'));
    if (!plainlySeen(event)) {
      // Not refused: asked. A second, deliberate click a moment later goes ahead.
      const confirmAt = confirmFrom.current;
      if (confirmAt === null || event.timeStamp < confirmAt || event.timeStamp > confirmAt + 10_000) {
        confirmFrom.current = event.timeStamp + 600;
        return refuse(t('ov_panelConfirm'));
      }
    }
    confirmFrom.current = null;
    const r = await send();
    setBusy(false);
    if (!r.ok) setError(errorText(t, r));
    return r.ok;
  };

  return (
    <EndorsePanel
      endorsements={connected ? items : null}
      ownPost={params.own}
      busy={busy}
      error={error}
      maxNote={MAX_NOTE_LENGTH}
      onEndorse={(note, e) => run(e, () => request({ type: 'post.endorse', post: params.post, author: params.author, viewer: params.viewer, ...(note ? { note } : {}) }))}
      onRetract={(e) => run(e, () => request({ type: 'post.retract', post: params.post }) as never)}
      onClose={(done) => port.current?.postMessage({ type: 'close', done })}
    />
  );
}
