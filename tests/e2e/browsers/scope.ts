/**
 * `Scope` over a script handle to a document, a shadow root or an overlay host. Playwright's
 * and Puppeteer's handles answer `evaluate(fn, arg)` / `evaluateHandle(fn, arg)` the same way
 * (`fn(value, arg)`), so one implementation serves both browsers; only how a found element is
 * clicked and how keys are typed differ, and those are passed in.
 */
import type { Scope } from './driver';
import { describeTarget, queryInPage, toWire, type Target, type Want } from './find';

/** The part of a Playwright or Puppeteer handle used here. */
export interface HandleLike {
  evaluate(fn: (value: never, arg: never) => unknown, arg?: unknown): Promise<unknown>;
  evaluateHandle(fn: (value: never, arg: never) => unknown, arg?: unknown): Promise<HandleLike>;
  asElement(): unknown;
  dispose(): Promise<void>;
}

/** What a scope needs from its browser besides the handle. */
export interface ScopeIo {
  /** Clicks a found element with real pointer input, at its centre or `at` from its top left. */
  click(element: unknown, at?: { x: number; y: number }): Promise<void>;
  /** Where a found element is drawn, in the window's coordinates. */
  box(element: unknown): Promise<{ x: number; y: number; width: number; height: number }>;
  /** Types text into whatever has the focus. */
  type(text: string): Promise<void>;
  /** Presses one key where the focus is. */
  press(key: string): Promise<void>;
}

/**
 * How long a person's pointer rests on one of Tend's controls before pressing: Tend acts on a
 * click only when the control was plainly visible for a moment before it (lib/overlay/guard.ts),
 * and no person clicks a button the instant it is drawn.
 */
export const DWELL_MS = 350;

/** The same input, with the pointer resting on the control a moment before each press. */
export function dwelling(io: ScopeIo): ScopeIo {
  return {
    ...io,
    click: async (element, at) => {
      await sleep(DWELL_MS);
      await io.click(element, at);
    },
  };
}

const POLL_MS = 100;
const DEFAULT_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A scope found again for every call (the page may have re-rendered it). */
export class HandleScope implements Scope {
  constructor(
    private readonly resolveScope: () => Promise<HandleLike | null>,
    private readonly io: ScopeIo,
    private readonly where: string,
  ) {}

  private async query(target: Target | string | undefined, want: Want): Promise<unknown> {
    const scope = await this.resolveScope();
    if (!scope) return want === 'count' ? 0 : null;
    try {
      return await scope.evaluate(queryInPage as never, { ...(target === undefined ? {} : toWire(target)), want });
    } finally {
      await scope.dispose().catch(() => undefined);
    }
  }

  /** The first visible match, waiting up to `timeoutMs` for it. */
  private async element(target: Target | string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<HandleLike> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const scope = await this.resolveScope();
      if (scope) {
        const handle = await scope.evaluateHandle(queryInPage as never, { ...toWire(target), want: 'first' }).catch(() => null);
        await scope.dispose().catch(() => undefined);
        if (handle?.asElement()) return handle;
        await handle?.dispose().catch(() => undefined);
      }
      if (Date.now() > deadline) throw new Error(`${this.where}: no visible ${describeTarget(target)} within ${timeoutMs} ms`);
      await sleep(POLL_MS);
    }
  }

  async text(target?: Target | string): Promise<string> {
    return ((await this.query(target, 'text')) as string | null) ?? '';
  }

  async count(target: Target | string): Promise<number> {
    return (await this.query(target, 'count')) as number;
  }

  async click(target: Target | string, options: { timeoutMs?: number; at?: { x: number; y: number } } = {}): Promise<void> {
    const element = await this.element(target, options.timeoutMs);
    try {
      await this.io.click(element.asElement(), options.at);
    } finally {
      await element.dispose().catch(() => undefined);
    }
  }

  async fill(target: Target | string, text: string): Promise<void> {
    const element = await this.element(target);
    try {
      await this.io.click(element.asElement());
      await element.evaluate((el: HTMLInputElement | HTMLTextAreaElement) => el.select());
      // Typing over a selection replaces it; an empty value is a deletion.
      if (text) await this.io.type(text);
      else await this.io.press('Backspace');
    } finally {
      await element.dispose().catch(() => undefined);
    }
  }

  async box(target: Target | string): Promise<{ x: number; y: number; width: number; height: number }> {
    const element = await this.element(target);
    try {
      return await this.io.box(element.asElement());
    } finally {
      await element.dispose().catch(() => undefined);
    }
  }

  async focus(target: Target | string): Promise<void> {
    const element = await this.element(target);
    try {
      await element.evaluate((el: HTMLElement) => el.focus());
    } finally {
      await element.dispose().catch(() => undefined);
    }
  }

  async isChecked(target: Target | string): Promise<boolean> {
    const element = await this.element(target);
    try {
      return (await element.evaluate((el: HTMLInputElement) => el.checked)) as boolean;
    } finally {
      await element.dispose().catch(() => undefined);
    }
  }

  async isFocused(target: Target | string): Promise<boolean> {
    const element = await this.element(target);
    try {
      return (await element.evaluate((el: Element) => (el.getRootNode() as Document | ShadowRoot).activeElement === el)) as boolean;
    } finally {
      await element.dispose().catch(() => undefined);
    }
  }
}
