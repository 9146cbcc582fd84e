/**
 * The description editor's hands on the page: Tend's settings page asks (through the
 * background) what a draft description finds here, to outline it, or to let the person pick
 * an element. Only the background may ask; the page's own scripts cannot reach this. It runs
 * in a content script of its own, injected into a tab only while the editor works on it.
 */
import { browser } from 'wxt/browser';
import type { SiteDescription } from '../domain/site-description';
import { request } from '../messaging/client';
import type { EditorCommand, EditorReport } from '../messaging/protocol';
import { EditorLayer, type OutlineGroup } from './picker';
import { inspectDescription } from '../sites/inspect';
import { bestSelector, proposeSelectors } from '../sites/selector-proposal';
import { suggestIdAttributes, suggestUrlPattern } from '../sites/suggest';
import type { Translate } from '../../components/i18n';

/** Fields whose element repeats: one per post, one per row. */
const REPEATED = new Set(['posts.item', 'list.row']);
/** Fields that are read inside one post or one row (the command says which). */
const PER_ITEM = /^(posts|list)\.(?!item$|row$)/;
/** Fields outlined on the page, in drawing order. */
const OUTLINED = ['thread.container', 'thread.title', 'posts.item', 'posts.author', 'posts.permalink', 'list.row', 'list.title', 'thread.answered', 'viewer'];

/** Listens for the editor's commands until `signal` aborts. */
export function listenForEditor(t: Translate, signal: AbortSignal): void {
  const layer = new EditorLayer(document);
  signal.addEventListener('abort', () => layer.clear());
  const label = (field: string) => t(`ed_${field.replace('.', '_')}`);

  const inspect = (draft: unknown, outline: boolean): EditorReport => {
    const url = new URL(location.href);
    // A thread's id is in its address, not in a fragment pointing into it.
    const bare = new URL(url);
    bare.hash = '';
    const base: EditorReport = {
      url: url.href,
      title: document.title.slice(0, 200),
      counts: {},
      samples: {},
      problems: {},
      urlPattern: suggestUrlPattern(bare),
      linkPattern: null,
      permalinkPattern: null,
      ids: { posts: [], list: [] },
    };
    if (!draft || typeof draft !== 'object') {
      if (outline) layer.clear();
      return base;
    }
    const report = inspectDescription(draft as SiteDescription, document, url);
    if (outline) {
      // The whole page as a thread's area (nothing chosen yet) is not worth a frame around it.
      const whole = (els: Element[]) => els.length === 1 && (els[0] === document.body || els[0] === document.documentElement);
      const groups: OutlineGroup[] = OUTLINED.filter((f) => report.elements[f]?.length && !whole(report.elements[f]!)).map((f) => ({ field: f, label: label(f), elements: report.elements[f]! }));
      layer.outline(groups);
    }
    const patternOfLink = (el: Element | undefined): string | null => {
      const href = el?.getAttribute('href');
      if (!href) return null;
      try {
        return suggestUrlPattern(new URL(href, location.href));
      } catch {
        return null;
      }
    };
    return {
      ...base,
      linkPattern: patternOfLink(report.elements['list.title']?.[0]),
      permalinkPattern: patternOfLink(report.elements['posts.permalink']?.[0]),
      counts: report.counts,
      samples: report.samples,
      problems: report.problems,
      ids: { posts: suggestIdAttributes(report.elements['posts.item'] ?? []), list: suggestIdAttributes(report.elements['list.row'] ?? []) },
    };
  };

  const pick = async (field: string, item?: string): Promise<void> => {
    const inItem = (el: Element): Element | null => {
      if (!item) return null;
      try {
        return el.closest(item);
      } catch {
        return null;
      }
    };
    const perItem = PER_ITEM.test(field) && !!item;
    const chosen = await layer.pick(t('ed_pickPrompt', label(field)), perItem ? (el) => inItem(el) !== null && inItem(el) !== el : undefined);
    if (!chosen) {
      void request({ type: 'editor.pickCancelled', field });
      return;
    }
    const within = perItem ? inItem(chosen) : null;
    const repeated = REPEATED.has(field);
    const candidates = proposeSelectors(chosen, { within, repeated, limit: 10 });
    const best = bestSelector(chosen, { within, repeated });
    let ids: ReturnType<typeof suggestIdAttributes> = [];
    if (repeated && best) {
      try {
        ids = suggestIdAttributes(Array.from(document.querySelectorAll(best)));
      } catch {
        ids = [];
      }
    }
    void request({ type: 'editor.picked', result: { field, best, candidates, ...(ids.length ? { ids } : {}) } });
  };

  const handle = async (command: EditorCommand): Promise<unknown> => {
    switch (command.command) {
      case 'inspect':
        return inspect(command.description, command.outline);
      case 'pick':
        void pick(command.field, command.item);
        return { started: true };
      case 'stop':
        layer.clear();
        return { stopped: true };
    }
  };

  const listener = (message: unknown, sender: { id?: string; tab?: unknown }): Promise<unknown> | undefined => {
    // Only Tend's own background: never another extension, never a page.
    if (sender.id !== browser.runtime.id || sender.tab) return undefined;
    const m = message as { tendEditor?: unknown; command?: EditorCommand } | null;
    if (!m || m.tendEditor !== 1 || !m.command) return undefined;
    return handle(m.command).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
  };
  browser.runtime.onMessage.addListener(listener as never);
  signal.addEventListener('abort', () => browser.runtime.onMessage.removeListener(listener as never));
}
