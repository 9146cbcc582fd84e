/**
 * How long one copy of Tend runs in a page. Nothing the page does can stop it: a newer copy
 * (injected after an install, an update or enabling a site) stops the older one directly, as
 * copies of one extension share the content script's isolated world, which the page cannot
 * reach; and a copy whose extension went away (reloaded, updated, disabled) notices that its
 * runtime is gone and stops. (WXT's own hand-over announces itself on `window`, where any
 * page can imitate it, so Tend does not rely on it.)
 */

const RUNNING = '__tendRunning';

/** Starts this copy's lifetime: stops any older copy in this world, returns this one's signal. */
export function claimPage(runtimeAlive: () => boolean, checkEveryMs = 5_000): AbortSignal {
  const world = globalThis as unknown as Record<string, AbortController | undefined>;
  world[RUNNING]?.abort();
  const controller = new AbortController();
  world[RUNNING] = controller;
  const timer = setInterval(() => {
    if (!runtimeAlive()) controller.abort();
  }, checkEveryMs);
  controller.signal.addEventListener('abort', () => {
    clearInterval(timer);
    if (world[RUNNING] === controller) world[RUNNING] = undefined;
  });
  return controller.signal;
}
