/**
 * Live subscriptions. Every open Tend tab and page holds a port; after each write the
 * background pushes the new state of exactly the posts and threads a port watches, so a
 * change shows everywhere as soon as it is stored. Ports die with the worker: clients
 * reconnect and re-send what they watch (see `client.ts`).
 */
import * as v from 'valibot';
import { describeIssues, parseThreadKey, postKey, threadKey, type PostRef, type ThreadRef } from '../domain';
import type { Changes } from '../store';
import { WatchSchema, type PortPush, type StateSnapshot } from './protocol';
import { classifySender, sitesIn, type SenderLike } from './sender';

/** The parts of a runtime port the hub uses. */
export interface PortLike {
  name: string;
  sender?: SenderLike;
  postMessage(message: unknown): void;
  disconnect?(): void;
  onMessage: { addListener(fn: (message: unknown) => void): void };
  onDisconnect: { addListener(fn: () => void): void };
}

interface Subscriber {
  port: PortLike;
  page: boolean;
  site: string | null;
  posts: Map<string, PostRef>;
  threads: Map<string, ThreadRef>;
  mine: boolean;
}

/** Keeps track of who watches what, and pushes changes to them. */
export class SubscriptionHub {
  private readonly subscribers = new Set<Subscriber>();

  constructor(
    private readonly snapshot: (posts: PostRef[], threads: ThreadRef[]) => Promise<StateSnapshot>,
    private readonly env: { runtimeId: string; extensionBase: string },
  ) {}

  /** Number of live subscribers (the sync client keeps its socket open while there are any). */
  get size(): number {
    return this.subscribers.size;
  }

  /** Accepts a port; refuses (disconnects) one from a stranger. */
  connect(port: PortLike): void {
    const who = classifySender(port.sender, this.env.runtimeId, this.env.extensionBase);
    if (who.kind === 'refused') {
      port.postMessage({ type: 'error', error: who.reason } satisfies PortPush);
      port.disconnect?.();
      return;
    }
    const sub: Subscriber = { port, page: who.kind === 'page', site: who.kind === 'content' ? who.site : null, posts: new Map(), threads: new Map(), mine: false };
    this.subscribers.add(sub);
    port.onDisconnect.addListener(() => this.subscribers.delete(sub));
    port.onMessage.addListener((message) => void this.watch(sub, message));
  }

  private async watch(sub: Subscriber, message: unknown): Promise<void> {
    const parsed = v.safeParse(WatchSchema, message);
    if (!parsed.success) return this.push(sub, { type: 'error', error: `invalid watch: ${describeIssues(parsed.issues)}` });
    const w = parsed.output;
    if (!sub.page) {
      const foreign = [...sitesIn(w)].filter((s) => s !== sub.site);
      if (foreign.length) return this.push(sub, { type: 'error', error: `a page on ${sub.site} cannot watch ${foreign[0]}` });
    }
    sub.posts = new Map(w.posts.map((p) => [postKey(p), p]));
    sub.threads = new Map(w.threads.map((t) => [threadKey(t), t]));
    sub.mine = Boolean(w.mine);
    if (sub.posts.size || sub.threads.size) this.push(sub, { type: 'state', state: await this.snapshot([...sub.posts.values()], [...sub.threads.values()]) });
  }

  /** Pushes a message to every extension page that listens (the description editor's picks). */
  pushToPages(message: PortPush): void {
    for (const sub of this.subscribers) if (sub.page) this.push(sub, message);
  }

  /** Pushes what changed to everyone watching it. */
  async notify(changes: Changes): Promise<void> {
    await Promise.all(
      [...this.subscribers].map(async (sub) => {
        // How to read a site changed: its pages read themselves again.
        if (!sub.page && sub.site && changes.sites?.has(sub.site)) this.push(sub, { type: 'site' });
        if (sub.page) {
          if (changes.posts.size || changes.threads.size || changes.people.size || changes.sites?.size) this.push(sub, { type: 'changed', mine: changes.mine });
          if (!sub.posts.size && !sub.threads.size) return;
        }
        const posts = [...changes.posts].filter((k) => sub.posts.has(k)).map((k) => sub.posts.get(k)!);
        const threads = [...changes.threads].filter((k) => sub.threads.has(k)).map((k) => sub.threads.get(k) ?? parseThreadKey(k));
        // A teammate's name changed: everything shown with names may change.
        const all = changes.people.size > 0;
        if (!posts.length && !threads.length && !all) return;
        const state = await this.snapshot(all ? [...sub.posts.values()] : posts, all ? [...sub.threads.values()] : threads);
        this.push(sub, { type: 'state', state });
      }),
    );
  }

  private push(sub: Subscriber, message: PortPush): void {
    try {
      sub.port.postMessage(message);
    } catch {
      // The port closed between the change and the push.
      this.subscribers.delete(sub);
    }
  }
}
