/**
 * The sending side, for content scripts and extension pages: typed requests with `Result`
 * replies, and a live subscription that survives the worker being stopped (its port
 * disconnects; the client reconnects, which wakes the worker, and re-sends what it watches).
 */
import { browser } from 'wxt/browser';
import { err, type Result } from '../domain/result';
import { SUBSCRIBE_PORT } from './names';
import type { AnyRequest, Envelope, PortPush, Replies, RequestType, Watch } from './protocol';

/** Sends one request to the background. Never throws: a dead or missing background is an error result. */
export async function request<T extends RequestType>(req: Extract<AnyRequest, { type: T }>): Promise<Result<Replies[T]>> {
  try {
    const reply = (await browser.runtime.sendMessage({ tend: 1, request: req } satisfies Envelope)) as Result<Replies[T]> | undefined;
    return reply ?? err('no-reply', 'Tend’s background did not answer');
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return err('unreachable', `Tend could not reach its background: ${why}`, why);
  }
}

/** A live subscription: call `watch` whenever the watched keys change, `close` when done. */
export interface Subscription {
  watch(w: Omit<Watch, 'type'>): void;
  close(): void;
}

/**
 * Opens the subscription port and keeps it open: on disconnect (worker stopped, extension
 * reloading) it reconnects with backoff and re-sends the last watch, so pushes resume.
 */
export function subscribe(onPush: (push: PortPush) => void, options: { connect?: () => ReturnType<typeof browser.runtime.connect> } = {}): Subscription {
  const connect = options.connect ?? (() => browser.runtime.connect({ name: SUBSCRIBE_PORT }));
  let current: Watch = { type: 'watch', posts: [], threads: [] };
  let port: ReturnType<typeof connect> | null = null;
  let closed = false;
  let delay = 50;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    if (closed) return;
    try {
      port = connect();
    } catch {
      // The extension context is gone (reloaded or uninstalled): stop trying.
      closed = true;
      return;
    }
    port.onMessage.addListener((m: unknown) => {
      delay = 50;
      onPush(m as PortPush);
    });
    port.onDisconnect.addListener(() => {
      port = null;
      if (closed) return;
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 5_000);
    });
    port.postMessage(current);
  };

  open();
  return {
    watch(w) {
      current = { type: 'watch', ...w };
      port?.postMessage(current);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      port?.disconnect();
    },
  };
}
