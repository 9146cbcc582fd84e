/**
 * The content script's view of Tend state, by key: filled from replies and live pushes,
 * read by every overlay on the page. Each overlay listens to its own key only, so a push
 * re-renders just the overlays it concerns.
 */
import type { PostState, StateSnapshot, ThreadStateView } from '../messaging/protocol';

export class OverlayState {
  /** The key listeners of the viewer's handle use. */
  static readonly VIEWER = 'viewer';
  private viewerHandle: string | null = null;
  private readonly posts = new Map<string, PostState>();
  private readonly threads = new Map<string, ThreadStateView>();
  private readonly listeners = new Map<string, Set<() => void>>();

  /** Stores a snapshot and tells the listeners of each key it carries. */
  apply(snapshot: StateSnapshot): void {
    const changed: string[] = [];
    for (const [key, value] of Object.entries(snapshot.posts)) {
      this.posts.set(key, value);
      changed.push(key);
    }
    for (const [key, value] of Object.entries(snapshot.threads)) {
      this.threads.set(key, value);
      changed.push(key);
    }
    for (const key of changed) for (const fn of this.listeners.get(key) ?? []) fn();
  }

  /** The logged-in user's handle on this site, as the page shows it. */
  viewer(): string | null {
    return this.viewerHandle;
  }

  setViewer(handle: string | null): void {
    if (handle === this.viewerHandle) return;
    this.viewerHandle = handle;
    for (const fn of this.listeners.get(OverlayState.VIEWER) ?? []) fn();
  }

  post(key: string): PostState | undefined {
    return this.posts.get(key);
  }

  thread(key: string): ThreadStateView | undefined {
    return this.threads.get(key);
  }

  /** Listens to one key; returns the unsubscribe. */
  listen(key: string, fn: () => void): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (!set.size) this.listeners.delete(key);
    };
  }
}
