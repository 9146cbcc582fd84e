/**
 * A site description: how to read one forum, as data. A person writes one in Tend's settings
 * for a forum no release knows, a manager can share it with the team through the team server,
 * and the built-in platforms are descriptions too. It holds only CSS selectors, attribute
 * names and safe anchored patterns (`safe-pattern.ts`): it can say where things are, never run
 * anything. One interpreter (`lib/sites/described.ts`) reads every description, with bounded
 * cost.
 *
 * Validated wherever it crosses a boundary: the settings page, storage, the team server.
 */
import * as v from 'valibot';
import { patternProblem } from './safe-pattern';

/** The description format this build writes and reads. */
export const SITE_DESCRIPTION_VERSION = 1;
/** Longest selector, in characters. */
export const MAX_SELECTOR_LENGTH = 300;
/** Most fallback selectors for one field. */
export const MAX_SELECTOR_FALLBACKS = 6;

const ORIGIN = /^https?:\/\/[a-z0-9.-]{1,253}(:\d{1,5})?$/;

/**
 * Selector parts that are refused: `:has()` makes one selector cost as much as the page
 * squared, and a `{` or `;` means someone pasted a style sheet rather than a selector.
 */
const SELECTOR_REFUSED = /:has\(|[{};]|<|>\s*>/i;

/** A CSS selector: syntax is checked where a DOM is at hand (the editor, the interpreter). */
export const SelectorSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'a selector is empty'),
  v.maxLength(MAX_SELECTOR_LENGTH, `a selector is longer than ${MAX_SELECTOR_LENGTH} characters`),
  v.check((s) => !SELECTOR_REFUSED.test(s), 'a selector may not use :has(), braces, semicolons or <'),
);

/** One selector, or fallbacks tried in order. */
export const SelectorsSchema = v.union([
  SelectorSchema,
  v.pipe(v.array(SelectorSchema), v.minLength(1, 'a selector list is empty'), v.maxLength(MAX_SELECTOR_FALLBACKS, `at most ${MAX_SELECTOR_FALLBACKS} fallback selectors`)),
]);

/** An attribute name (`href`, `data-post-id`). */
export const AttrSchema = v.pipe(v.string(), v.regex(/^[A-Za-z_:][-A-Za-z0-9_:.]{0,63}$/, 'not an attribute name'));

/** An anchored pattern whose first group (or whole match) is the value. */
export const PatternSchema = v.pipe(
  v.string(),
  v.check((s) => patternProblem(s) === null, (issue) => patternProblem(String(issue.input)) ?? 'unsafe pattern'),
);

/**
 * Where a value is: an element (`selector`, inside the item being read; the item itself when
 * left out), its text or one of its attributes (`attr`), optionally a `pattern` that picks the
 * value out of that text. `last` takes the last match instead of the first; `decimal` accepts
 * only a positive whole number (leading zeros dropped), the usual shape of forum ids.
 */
export const ValueSchema = v.strictObject({
  selector: v.optional(SelectorsSchema),
  attr: v.optional(AttrSchema),
  pattern: v.optional(PatternSchema),
  last: v.optional(v.boolean()),
  decimal: v.optional(v.boolean()),
});

/** A value, or fallbacks tried in order until one gives a usable value. */
export const ValuesSchema = v.union([ValueSchema, v.pipe(v.array(ValueSchema), v.minLength(1), v.maxLength(4, 'at most four fallbacks for a value'))]);

/** An id: like any value, or taken from the page's address (`from: 'url'`: its path and query, through `pattern`). */
export const IdSchema = v.union([
  ValuesSchema,
  v.strictObject({ from: v.literal('url'), pattern: PatternSchema, decimal: v.optional(v.boolean()) }),
]);

/**
 * Where an overlay goes: next to (or inside) an element of the item (`selector`; the item
 * itself when left out). `element` names what the overlay stands for, when that is not the
 * item: the overlay goes away when it does.
 */
export const AnchorSchema = v.strictObject({
  selector: v.optional(SelectorsSchema),
  placement: v.picklist(['before', 'after', 'prepend', 'append']),
  element: v.optional(SelectorsSchema),
});

const Name = v.pipe(v.string(), v.trim(), v.minLength(1, 'a name is needed'), v.maxLength(80, 'the name is longer than 80 characters'));

/** The thread page: one thread and its header. */
export const ThreadPartSchema = v.strictObject({
  /** Present on a thread page only; everything below is read inside it (or the document when `scope` says so). */
  container: SelectorsSchema,
  id: IdSchema,
  title: ValuesSchema,
  /** The thread's address; the page's own address without query or fragment when left out. */
  url: v.optional(ValuesSchema),
  author: v.optional(ValuesSchema),
  replies: v.optional(ValuesSchema),
  /** Whether the reply count includes the first post (then one is taken off). */
  repliesCountFirst: v.optional(v.boolean()),
  /** Shown when the thread is answered or solved. */
  answered: v.optional(SelectorsSchema),
  /** Shown when the thread is explicitly not answered. */
  unanswered: v.optional(SelectorsSchema),
  created: v.optional(ValuesSchema),
  category: v.optional(ValuesSchema),
  /** Each matching element is a tag: its attribute when it has it, else its text. */
  tags: v.optional(ValueSchema),
  /** Where the claim bar goes. */
  anchor: AnchorSchema,
});

/** The posts of a thread page. */
export const PostsPartSchema = v.strictObject({
  item: SelectorsSchema,
  /** Look for posts in the whole document rather than inside the thread container. */
  scope: v.optional(v.picklist(['container', 'document'])),
  id: IdSchema,
  author: ValuesSchema,
  /** A link to the post; its address becomes the post's. */
  permalink: v.optional(ValuesSchema),
  /** The post's own text, written by people: no value of the post is ever read from inside it. */
  body: v.optional(SelectorsSchema),
  /** Posts matching this (or inside what matches it) are not posts: quotes, notices. */
  exclude: v.optional(SelectorsSchema),
  /** An attribute naming the thread a post belongs to; posts of another thread are left out. */
  threadAttr: v.optional(AttrSchema),
  /** Replies sit inside the post they answer (threaded comments): posts inside posts are posts too. */
  nested: v.optional(v.boolean()),
  /** Which post asks the question: the first on the page, or the one with this id. */
  question: v.optional(v.union([v.literal('first'), v.strictObject({ id: v.pipe(v.string(), v.maxLength(200)) })])),
  anchor: AnchorSchema,
});

/** Rows of a list of threads. */
export const ListPartSchema = v.strictObject({
  row: SelectorsSchema,
  id: IdSchema,
  /** The row's link to the thread: its text is the title and its address the thread's. */
  title: ValueSchema,
  replies: v.optional(ValuesSchema),
  answered: v.optional(SelectorsSchema),
  unanswered: v.optional(SelectorsSchema),
  author: v.optional(ValuesSchema),
  category: v.optional(ValuesSchema),
  tags: v.optional(ValueSchema),
  exclude: v.optional(SelectorsSchema),
  anchor: AnchorSchema,
});

/** A whole description. */
export const SiteDescriptionSchema = v.strictObject({
  version: v.literal(SITE_DESCRIPTION_VERSION),
  name: Name,
  /** The forum's origins (`https://forum.example.org`); at most ten. */
  origins: v.pipe(v.array(v.pipe(v.string(), v.regex(ORIGIN, 'an origin looks like https://forum.example.org'))), v.minLength(1, 'at least one origin'), v.maxLength(10, 'at most ten origins')),
  /** Optional page marker: the description applies only where it matches (a `meta` tag, a body class). */
  marker: v.optional(SelectorsSchema),
  thread: v.optional(ThreadPartSchema),
  posts: v.optional(PostsPartSchema),
  list: v.optional(ListPartSchema),
  /** The signed-in user's handle. */
  viewer: v.optional(ValuesSchema),
  /** The part of the page that changes on client-side navigation (the whole document when left out). */
  observe: v.optional(SelectorsSchema),
});

export type SiteDescription = v.InferOutput<typeof SiteDescriptionSchema>;
export type ValueSpec = v.InferOutput<typeof ValueSchema>;
export type ValuesSpec = v.InferOutput<typeof ValuesSchema>;
export type IdSpec = v.InferOutput<typeof IdSchema>;
export type AnchorSpec = v.InferOutput<typeof AnchorSchema>;
export type Selectors = v.InferOutput<typeof SelectorsSchema>;

/** Largest description accepted, in characters of JSON. */
export const MAX_DESCRIPTION_CHARS = 20_000;

/** Validates a description from anywhere untrusted (storage, an import, the team server). */
export function parseSiteDescription(input: unknown): { ok: true; value: SiteDescription } | { ok: false; reason: string } {
  if (input && typeof input === 'object' && 'version' in input && typeof input.version === 'number' && input.version > SITE_DESCRIPTION_VERSION) {
    return { ok: false, reason: `this description was written by a newer Tend (format ${input.version}): update Tend` };
  }
  let size: number;
  try {
    size = JSON.stringify(input ?? null).length;
  } catch {
    return { ok: false, reason: 'a description must be plain data' };
  }
  if (size > MAX_DESCRIPTION_CHARS) return { ok: false, reason: `the description is larger than ${MAX_DESCRIPTION_CHARS} characters` };
  const r = v.safeParse(SiteDescriptionSchema, input);
  if (r.success) {
    if (!r.output.thread && !r.output.posts && !r.output.list) return { ok: false, reason: 'describe at least the thread, its posts or a list of threads' };
    return { ok: true, value: r.output };
  }
  return {
    ok: false,
    reason: r.issues
      .slice(0, 3)
      .map((i) => {
        const path = i.path?.map((p) => String(p.key)).join('.');
        return path ? `${path}: ${i.message}` : i.message;
      })
      .join('; '),
  };
}

export { selectorsOf, patternsOf } from './description-fields';
