/**
 * "Describe this forum": a form with one row per thing Tend needs to find on a forum's pages
 * (the thread's title, each post, its author, each row of a list…). For each, type a CSS
 * selector or pick the element on the forum's open tab; Tend proposes the selector and shows,
 * live, how many elements each field finds there, and outlines them on the page. A view only:
 * the settings page passes the data and the actions in.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SiteDescription } from '../../lib/domain/site-description';
import { parseSiteDescription } from '../../lib/domain/site-description';
import type { EditorReport, PickResult } from '../../lib/messaging/protocol';
import { useT, type Translate } from '../i18n';
import { hostOf } from '../popup/format';
import { descriptionToDraft, draftToDescription, emptyDraft, type Draft } from './describe-draft';

/** A tab of the forum the editor works on. */
export interface EditorTab {
  id: number;
  title: string;
  url: string;
}

export interface DescribeEditorProps {
  origin: string;
  /** The description saved in this browser, if any; the team's, if any. */
  saved: { local: SiteDescription | null; team: SiteDescription | null } | null;
  tabs: readonly EditorTab[];
  tabId: number | null;
  onChooseTab: (tabId: number) => void;
  onOpenForum: () => void;
  /** What the draft finds on the tab (the settings page asks the tab, debounced). */
  report: EditorReport | null;
  reportError: string | null;
  onDraft: (description: unknown) => void;
  onPick: (field: string, item?: string) => void;
  /** The newest pick from the page (or a cancelled one: result null). */
  pick: { field: string; result: PickResult | null; at: number } | null;
  picking: string | null;
  onSave: (description: SiteDescription) => void;
  onPublish?: (description: SiteDescription) => void;
  onClose: () => void;
  busy: boolean;
  message: { kind: 'ok' | 'error'; text: string } | null;
}

type Key = keyof Draft;
interface FieldSpec {
  key: Key;
  /** The description field it fills, for counts and the picker. */
  field: string;
  pick?: boolean;
  /** Picked inside each of these items. */
  within?: Key;
  optional?: boolean;
}

const SECTIONS: { id: 'thread' | 'posts' | 'list' | 'you'; fields: FieldSpec[] }[] = [
  {
    id: 'thread',
    fields: [
      { key: 'threadTitle', field: 'thread.title', pick: true },
      { key: 'threadContainer', field: 'thread.container', pick: true, optional: true },
      { key: 'threadAnswered', field: 'thread.answered', pick: true, optional: true },
    ],
  },
  {
    id: 'posts',
    fields: [
      { key: 'postItem', field: 'posts.item', pick: true },
      { key: 'postAuthor', field: 'posts.author', pick: true, within: 'postItem' },
      { key: 'postPermalink', field: 'posts.permalink', pick: true, within: 'postItem', optional: true },
      { key: 'postBody', field: 'posts.body', pick: true, within: 'postItem', optional: true },
    ],
  },
  {
    id: 'list',
    fields: [
      { key: 'rowItem', field: 'list.row', pick: true },
      { key: 'rowTitle', field: 'list.title', pick: true, within: 'rowItem' },
    ],
  },
  { id: 'you', fields: [{ key: 'viewer', field: 'viewer', pick: true, optional: true }] },
];

const ALL_FIELDS = SECTIONS.flatMap((s) => s.fields);

/** The message keys the editor builds from field names (the messages test checks they exist). */
export function editorMessageKeys(): string[] {
  const fields = [...ALL_FIELDS.map((f) => f.field), 'thread.id', 'posts.id', 'list.id'];
  return [
    ...fields.map((f) => `ed_${f.replace('.', '_')}`),
    ...SECTIONS.flatMap((s) => [`ed_section_${s.id}`, `ed_section_${s.id}_help`]),
    ...['url', 'attr', 'permalink', 'link'].map((o) => `ed_idFrom_${o}`),
    'ed_sumPosts',
    'ed_sumAuthors',
    'ed_sumIds',
    'ed_sumPermalinks',
    'ed_sumTitles',
    'ed_sumRows',
  ];
}

/** "12 posts, 12 authors, 1 title": what the draft finds, in one line. */
export function summarize(t: Translate, report: EditorReport | null): string {
  if (!report) return '';
  const c = report.counts;
  const parts: string[] = [];
  const add = (key: string, message: string) => {
    if (c[key] !== undefined) parts.push(t(message, c[key]!));
  };
  add('posts.item', 'ed_sumPosts');
  add('posts.author', 'ed_sumAuthors');
  add('posts.id', 'ed_sumIds');
  add('posts.permalink', 'ed_sumPermalinks');
  add('thread.title', 'ed_sumTitles');
  add('list.row', 'ed_sumRows');
  return parts.join(', ');
}

/** How one field fares on the page, in words. */
function countText(t: Translate, field: string, report: EditorReport | null): { text: string; bad: boolean } | null {
  if (!report || report.counts[field] === undefined) return null;
  const n = report.counts[field]!;
  const of = field.startsWith('posts.') && field !== 'posts.item' ? report.counts['posts.item'] : field.startsWith('list.') && field !== 'list.row' ? report.counts['list.row'] : undefined;
  const text = of !== undefined ? t('ed_countOf', n, of) : t('ed_count', n);
  const optional = ALL_FIELDS.find((f) => f.field === field)?.optional;
  return { text, bad: n === 0 && !optional ? true : of !== undefined && n < of && !optional };
}

export function DescribeEditor(props: DescribeEditorProps) {
  const t = useT();
  const initial = useMemo(() => {
    const saved = props.saved?.local ?? props.saved?.team ?? null;
    return (saved && descriptionToDraft(saved, props.origin)) ?? emptyDraft(props.origin);
  }, [props.saved, props.origin]);
  const [draft, setDraft] = useState<Draft>(initial);
  const [candidates, setCandidates] = useState<Record<string, { list: PickResult['candidates']; index: number }>>({});
  const [json, setJson] = useState<string | null>(null);
  const [jsonError, setJsonError] = useState<string | null>(null);
  useEffect(() => setDraft(initial), [initial]);

  const description = useMemo(() => draftToDescription(draft), [draft]);
  const checked = useMemo(() => parseSiteDescription(description), [description]);

  // Every change goes to the page (the settings page debounces), so counts follow the typing.
  useEffect(() => props.onDraft(description), [description, props.tabId]);

  // A pick from the page fills its field, and suggests where ids come from.
  const lastPick = useRef(0);
  useEffect(() => {
    const p = props.pick;
    if (!p || p.at === lastPick.current) return;
    lastPick.current = p.at;
    if (!p.result?.best) return;
    const spec = ALL_FIELDS.find((f) => f.field === p.result!.field);
    if (!spec) return;
    const best = p.result.best;
    setDraft((d) => {
      const next: Draft = { ...d, [spec.key]: best };
      const id = p.result!.ids?.[0];
      if (spec.key === 'postItem' && id && !d.postIdAttr) Object.assign(next, { postIdFrom: 'attr', postIdAttr: id.attr, postIdPattern: id.pattern ?? '' });
      if (spec.key === 'rowItem' && id && !d.rowIdAttr && d.rowIdFrom === 'attr') Object.assign(next, { rowIdAttr: id.attr, rowIdPattern: id.pattern ?? '' });
      return next;
    });
    const list = p.result.candidates;
    setCandidates((c) => ({ ...c, [spec.key]: { list, index: Math.max(0, list.findIndex((x) => x.selector === best)) } }));
  }, [props.pick]);

  // Patterns Tend can propose from the page, once the fields they need are found.
  useEffect(() => {
    const r = props.report;
    if (!r) return;
    setDraft((d) => {
      const next = { ...d };
      if (d.threadIdFrom === 'url' && !d.threadIdPattern && r.urlPattern) next.threadIdPattern = r.urlPattern;
      if (d.rowIdFrom === 'link' && !d.rowIdPattern && r.linkPattern) next.rowIdPattern = r.linkPattern;
      if (d.postIdFrom === 'permalink' && !d.postIdPattern && r.permalinkPattern) next.postIdPattern = r.permalinkPattern;
      return JSON.stringify(next) === JSON.stringify(d) ? d : next;
    });
  }, [props.report]);

  const set = (key: Key, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const step = (key: Key, by: number) => {
    const c = candidates[key];
    if (!c) return;
    const index = Math.min(c.list.length - 1, Math.max(0, c.index + by));
    setCandidates({ ...candidates, [key]: { ...c, index } });
    set(key, c.list[index]!.selector);
  };

  const problemFor = (field: string): string | null => {
    const r = props.report?.problems ?? {};
    for (const [path, problem] of Object.entries(r)) if (path === field || path.startsWith(`${field}.`)) return problem;
    return null;
  };

  const fieldRow = (f: FieldSpec) => {
    const id = `ed-${f.key}`;
    // An empty field finds nothing of its own (an empty thread area means the whole page).
    const count = String(draft[f.key]).trim() ? countText(t, f.field, props.report) : null;
    const problem = problemFor(f.field);
    const sample = props.report?.samples[f.field];
    const c = candidates[f.key];
    const within = f.within ? draft[f.within] : undefined;
    const canPick = props.tabId !== null && (!f.within || !!String(within).trim());
    return (
      <div class="ed-field" key={f.key} data-field={f.field}>
        <label for={id}>
          {t(`ed_${f.field.replace('.', '_')}`)}
          {f.optional && <span class="muted"> {t('ed_optional')}</span>}
        </label>
        <div class="ed-input">
          <input
            id={id}
            type="text"
            spellcheck={false}
            autoComplete="off"
            value={draft[f.key] as string}
            placeholder={t('ed_selectorPlaceholder')}
            aria-describedby={`${id}-status`}
            aria-invalid={problem ? true : undefined}
            onInput={(e) => set(f.key, (e.currentTarget as HTMLInputElement).value)}
          />
          {f.pick && (
            <button type="button" class="btn" disabled={!canPick || props.picking !== null} onClick={() => props.onPick(f.field, f.within ? String(within).trim() : undefined)}>
              {props.picking === f.field ? t('ed_picking') : t('ed_pick')}
            </button>
          )}
        </div>
        <p id={`${id}-status`} class="ed-status">
          {count && <span class={count.bad ? 'count bad' : 'count'}>{count.text}</span>}
          {sample && <span class="sample">“{sample}”</span>}
          {c && c.list.length > 1 && (
            <span class="ed-steps">
              <button type="button" class="btn link" disabled={c.index === 0} onClick={() => step(f.key, -1)}>
                {t('ed_narrower')}
              </button>
              <button type="button" class="btn link" disabled={c.index >= c.list.length - 1} onClick={() => step(f.key, 1)}>
                {t('ed_wider')}
              </button>
            </span>
          )}
          {problem && (
            <span class="error" role="alert">
              {problem}
            </span>
          )}
        </p>
      </div>
    );
  };

  const idRow = (section: 'thread' | 'posts' | 'list') => {
    const fromKey: Key = section === 'thread' ? 'threadIdFrom' : section === 'posts' ? 'postIdFrom' : 'rowIdFrom';
    const attrKey: Key = section === 'thread' ? 'threadIdAttr' : section === 'posts' ? 'postIdAttr' : 'rowIdAttr';
    const patternKey: Key = section === 'thread' ? 'threadIdPattern' : section === 'posts' ? 'postIdPattern' : 'rowIdPattern';
    const field = section === 'thread' ? 'thread.id' : section === 'posts' ? 'posts.id' : 'list.id';
    const options = section === 'thread' ? (['url', 'attr'] as const) : section === 'posts' ? (['attr', 'permalink'] as const) : (['link', 'attr'] as const);
    const from = draft[fromKey] as string;
    const ids = section === 'posts' ? props.report?.ids.posts : section === 'list' ? props.report?.ids.list : undefined;
    const count = countText(t, field, props.report);
    const problem = problemFor(field);
    const sample = props.report?.samples[field];
    return (
      <fieldset class="ed-field ed-id" data-field={field}>
        <legend>{t(`ed_${field.replace('.', '_')}`)}</legend>
        <div class="ed-input">
          <select aria-label={t('ed_idFrom')} value={from} onChange={(e) => set(fromKey, (e.currentTarget as HTMLSelectElement).value)}>
            {options.map((o) => (
              <option key={o} value={o}>
                {t(`ed_idFrom_${o}`)}
              </option>
            ))}
          </select>
          {from === 'attr' && (
            <input
              type="text"
              spellcheck={false}
              list={`${field}-attrs`}
              aria-label={t('ed_attr')}
              placeholder={t('ed_attr')}
              value={draft[attrKey] as string}
              onInput={(e) => set(attrKey, (e.currentTarget as HTMLInputElement).value)}
            />
          )}
          <input
            type="text"
            spellcheck={false}
            class="pattern"
            aria-label={t('ed_pattern')}
            placeholder={t('ed_patternPlaceholder')}
            value={draft[patternKey] as string}
            onInput={(e) => set(patternKey, (e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        {ids && ids.length > 0 && (
          <datalist id={`${field}-attrs`}>
            {ids.map((s) => (
              <option key={s.attr} value={s.attr}>
                {s.sample}
              </option>
            ))}
          </datalist>
        )}
        <p class="ed-status">
          {count && <span class={count.bad ? 'count bad' : 'count'}>{count.text}</span>}
          {sample && <span class="sample">“{sample}”</span>}
          {ids && ids.length > 0 && from === 'attr' && (
            <span class="ed-suggest">
              {t('ed_suggestIds')}{' '}
              {ids.slice(0, 3).map((s) => (
                <button
                  key={s.attr}
                  type="button"
                  class="btn link"
                  onClick={() => setDraft((d) => ({ ...d, [attrKey]: s.attr, [patternKey]: s.pattern ?? '' }))}
                >
                  {s.attr}
                </button>
              ))}
            </span>
          )}
          {problem && (
            <span class="error" role="alert">
              {problem}
            </span>
          )}
        </p>
      </fieldset>
    );
  };

  const host = hostOf(props.origin);
  const summary = summarize(t, props.report);
  return (
    <section class="card describe" aria-labelledby="describe-heading">
      <div class="card-head">
        <h2 id="describe-heading">{t('ed_heading', host)}</h2>
        <button type="button" class="btn quiet" onClick={props.onClose}>
          {t('ed_close')}
        </button>
      </div>
      <p class="muted">{t('ed_intro')}</p>

      <div class="ed-tab">
        {props.tabs.length > 0 ? (
          <label>
            {t('ed_workingOn')}{' '}
            <select value={props.tabId ?? ''} onChange={(e) => props.onChooseTab(Number((e.currentTarget as HTMLSelectElement).value))}>
              {props.tabs.map((tab) => (
                <option key={tab.id} value={tab.id}>
                  {tab.title || tab.url}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p class="notice">
            {t('ed_noTab', host)}{' '}
            <button type="button" class="btn" onClick={props.onOpenForum}>
              {t('ed_openForum')}
            </button>
          </p>
        )}
        {summary && (
          <p class="ed-summary" role="status">
            {summary}
          </p>
        )}
        {props.reportError && (
          <p class="error" role="alert">
            {props.reportError}
          </p>
        )}
      </div>

      <div class="ed-field">
        <label for="ed-name">{t('ed_name')}</label>
        <div class="ed-input">
          <input id="ed-name" type="text" value={draft.name} maxLength={80} onInput={(e) => set('name', (e.currentTarget as HTMLInputElement).value)} />
        </div>
      </div>

      {SECTIONS.map((section) => (
        <fieldset class="ed-section" key={section.id}>
          <legend>{t(`ed_section_${section.id}`)}</legend>
          <p class="help">{t(`ed_section_${section.id}_help`)}</p>
          {section.fields.slice(0, section.id === 'you' ? 1 : 2).map(fieldRow)}
          {section.id !== 'you' && idRow(section.id)}
          {section.fields.slice(section.id === 'you' ? 1 : 2).map(fieldRow)}
        </fieldset>
      ))}

      <details class="ed-json" onToggle={(e) => setJson((e.currentTarget as HTMLDetailsElement).open ? JSON.stringify(description, null, 2) : null)}>
        <summary>{t('ed_json')}</summary>
        {json !== null && (
          <>
            <textarea aria-label={t('ed_json')} rows={12} spellcheck={false} value={json} onInput={(e) => setJson((e.currentTarget as HTMLTextAreaElement).value)} />
            <button
              type="button"
              class="btn"
              onClick={() => {
                let parsed: unknown;
                try {
                  parsed = JSON.parse(json);
                } catch (e) {
                  setJsonError(t('ed_jsonBad', e instanceof Error ? e.message : String(e)));
                  return;
                }
                const r = parseSiteDescription(parsed);
                if (!r.ok) return setJsonError(r.reason);
                const d = descriptionToDraft(r.value, props.origin);
                if (!d) return setJsonError(t('ed_jsonTooRich'));
                setJsonError(null);
                setDraft(d);
              }}
            >
              {t('ed_jsonUse')}
            </button>
            {jsonError && (
              <p class="error" role="alert">
                {jsonError}
              </p>
            )}
          </>
        )}
      </details>

      <div class="ed-actions">
        {!checked.ok && (
          <p class="muted" id="ed-incomplete">
            {t('ed_incomplete', checked.reason)}
          </p>
        )}
        <button type="button" class="btn primary" disabled={!checked.ok || props.busy} aria-describedby={checked.ok ? undefined : 'ed-incomplete'} onClick={() => checked.ok && props.onSave(checked.value)}>
          {t('ed_save')}
        </button>
        {props.onPublish && (
          <button type="button" class="btn" disabled={!checked.ok || props.busy} onClick={() => checked.ok && props.onPublish!(checked.value)}>
            {t('ed_publish')}
          </button>
        )}
        {props.message && (
          <p class={props.message.kind === 'ok' ? 'success' : 'error'} role={props.message.kind === 'ok' ? 'status' : 'alert'}>
            {props.message.text}
          </p>
        )}
      </div>
    </section>
  );
}
