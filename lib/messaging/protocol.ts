/**
 * The one protocol between content scripts, extension pages and the background, typed by
 * direction. Every request is validated at the background boundary with these schemas
 * (strict: unknown fields are refused), and every reply is a `Result`.
 */
import * as v from 'valibot';
import {
  HandleSchema,
  LocalIdSchema,
  MAX_NOTE_LENGTH,
  MemberIdSchema,
  ObservedFieldsSchema,
  PostRefSchema,
  SiteSchema,
  ThreadRefSchema,
  type ErrorCode,
  type Refusal,
  type Result,
  type ThreadState,
} from '../domain';
import type { SiteStatus } from '../permissions/site-access';
import type { ReminderSettings } from '../reminders/plan';
import { ImportChunkSchema } from '../data/export-format';

export type { SiteStatus };

const Epoch = v.pipe(v.number(), v.integer(), v.minValue(0));
const TabId = v.pipe(v.number(), v.integer(), v.minValue(0));
const Note = v.pipe(v.string(), v.trim(), v.maxLength(MAX_NOTE_LENGTH, `note is longer than ${MAX_NOTE_LENGTH} characters`));
const ThreadRefs = v.pipe(v.array(ThreadRefSchema), v.maxLength(2_000, 'too many threads'));
const PostRefs = v.pipe(v.array(PostRefSchema), v.maxLength(5_000, 'too many posts'));

/** A thread as a page saw it, sent to be observed. */
export const SeenThreadSchema = v.strictObject({ threadId: LocalIdSchema, ...ObservedFieldsSchema.entries });

const req = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) => v.strictObject({ type: v.literal(type), ...entries });

/** A field of a site description the editor works on (`posts.item`, `thread.title`, …). */
export const EditorFieldSchema = v.pipe(v.string(), v.regex(/^[a-z]+(\.[a-z]+){0,2}$/i, 'not a field name'), v.maxLength(40));
const SelectorText = v.pipe(v.string(), v.maxLength(300));
/** One proposed selector and how many elements it matches. */
const CandidateSchema = v.strictObject({ selector: SelectorText, matches: v.pipe(v.number(), v.integer(), v.minValue(-1)) });
/** An id source the editor may offer. */
const IdSuggestionSchema = v.strictObject({
  attr: v.pipe(v.string(), v.maxLength(64)),
  pattern: v.optional(v.pipe(v.string(), v.maxLength(200))),
  decimal: v.optional(v.boolean()),
  sample: v.pipe(v.string(), v.maxLength(200)),
});
/** What a content script reports after the person picked an element. */
export const PickedSchema = v.strictObject({
  field: EditorFieldSchema,
  best: v.nullable(SelectorText),
  candidates: v.pipe(v.array(CandidateSchema), v.maxLength(30)),
  ids: v.optional(v.pipe(v.array(IdSuggestionSchema), v.maxLength(5))),
});
const Origin = v.pipe(v.string(), v.regex(/^https?:\/\/[a-z0-9.-]{1,253}(:\d{1,5})?$/, 'not an origin'));

/** Requests a content script may send, about its own tab's site only. */
export const ContentRequests = [
  req('page.seen', {
    site: SiteSchema,
    /** What read the page (`discourse`, `custom`, …). */
    platform: v.optional(v.picklist(['discourse', 'github', 'stackexchange', 'reddit', 'custom'])),
    viewer: v.nullable(HandleSchema),
    threads: v.pipe(v.array(SeenThreadSchema), v.maxLength(500, 'too many threads')),
  }),
  req('state.get', { posts: PostRefs, threads: ThreadRefs }),
  req('post.endorse', { post: PostRefSchema, author: HandleSchema, viewer: v.nullable(HandleSchema), note: v.optional(Note) }),
  req('post.retract', { post: PostRefSchema }),
  req('thread.claim', { thread: ThreadRefSchema }),
  req('thread.renew', { thread: ThreadRefSchema, epoch: Epoch }),
  req('thread.release', { thread: ThreadRefSchema, epoch: Epoch }),
  req('thread.resolve', { thread: ThreadRefSchema, epoch: Epoch }),
  req('thread.handoff', { thread: ThreadRefSchema, epoch: Epoch, to: MemberIdSchema }),
  // How to read this page when no built-in adapter does (this browser's description, else the team's).
  req('site.description', {}),
  // The description editor's picker, answering from the page it runs on.
  req('editor.picked', { result: PickedSchema }),
  req('editor.pickCancelled', { field: EditorFieldSchema }),
] as const;

/** Requests only extension pages (popup, dashboard, options) may send. */
export const PageRequests = [
  req('app.ping', {}),
  req('me.get', {}),
  req('me.setName', { name: v.pipe(v.string(), v.trim(), v.minLength(1, 'a name is needed'), v.maxLength(60, 'name is longer than 60 characters')) }),
  req('claim.act', { action: v.picklist(['renew', 'release', 'resolve']), thread: ThreadRefSchema, epoch: Epoch }),
  req('settings.setPaused', { paused: v.boolean() }),
  // Reminders: what to be told, and how long before a claim ends; the popup has shown my claims.
  req('reminders.get', {}),
  req('reminders.set', {
    leadMs: v.pipe(v.number(), v.integer(), v.minValue(60_000, 'at least a minute'), v.maxValue(7 * 24 * 3_600_000, 'at most a week')),
    expiring: v.boolean(),
    expired: v.boolean(),
    handed: v.boolean(),
    refused: v.boolean(),
  }),
  req('reminders.seen', {}),
  // Enabling Tend on a site that is not built in (the popup asks for the permission first).
  req('site.status', { tabId: TabId }),
  req('site.enable', { origin: SiteSchema, tabId: v.optional(TabId) }),
  req('site.disable', { origin: SiteSchema, tabId: v.optional(TabId) }),
  // Team sync (the page asks for the server origin's host permission before joining).
  req('sync.join', {
    server: v.pipe(v.string(), v.trim(), v.url('the server address must be a URL'), v.maxLength(500, 'the server address is too long')),
    code: v.pipe(v.string(), v.trim(), v.minLength(1, 'an invite code is needed'), v.maxLength(64, 'the invite code is too long')),
    name: v.pipe(v.string(), v.trim(), v.minLength(1, 'a name is needed'), v.maxLength(60, 'name is longer than 60 characters')),
  }),
  req('sync.leave', {}),
  // A manager changes how long a claim lasts, for the whole team (the server checks the role).
  req('team.setLease', { leaseMs: v.pipe(v.number(), v.integer(), v.minValue(60_000, 'a lease is at least a minute'), v.maxValue(30 * 24 * 3_600_000, 'a lease is at most 30 days')) }),
  req('sync.status', {}),
  // Sites Tend runs on, and descriptions of forums no release knows.
  req('sites.list', {}),
  req('site.description.get', { origin: Origin }),
  req('site.description.save', { origin: Origin, description: v.unknown() }),
  req('site.description.remove', { origin: Origin }),
  req('site.description.publish', { origin: Origin, description: v.unknown() }),
  // The description editor, working on a tab of the forum.
  req('editor.tabs', { origin: Origin }),
  req('editor.inspect', { tabId: TabId, description: v.unknown(), outline: v.boolean() }),
  req('editor.pick', { tabId: TabId, field: EditorFieldSchema, item: v.optional(SelectorText) }),
  req('editor.stop', { tabId: TabId }),
  // Data: an exported file brought back in parts (ops are idempotent by id), and wiping everything.
  req('data.import', { chunk: ImportChunkSchema }),
  req('data.wipe', { confirm: v.literal('wipe everything') }),
] as const;

export const ContentRequestSchema = v.variant('type', [...ContentRequests]);
export const PageRequestSchema = v.variant('type', [...PageRequests]);

export type ContentToBackground = v.InferOutput<typeof ContentRequestSchema>;
export type PageToBackground = v.InferOutput<typeof PageRequestSchema>;
export type AnyRequest = ContentToBackground | PageToBackground;
export type RequestType = AnyRequest['type'];

/** Content-request types, for telling apart a content request from a page request. */
export const CONTENT_TYPES: ReadonlySet<string> = new Set(ContentRequests.map((s) => s.entries.type.literal));
/** Page-request types. */
export const PAGE_TYPES: ReadonlySet<string> = new Set(PageRequests.map((s) => s.entries.type.literal));

/** The envelope every runtime message travels in, so Tend ignores other senders' messages. */
export interface Envelope<R extends AnyRequest = AnyRequest> {
  tend: 1;
  request: R;
}

// ------------------------------------------------------------------------------ replies

/** A post's endorsements, as an overlay shows them. */
export interface PostState {
  key: string;
  count: number;
  endorsements: { actor: string; name: string; note: string | null; pending: boolean; mine: boolean }[];
  /** Whether I endorse it (pending or accepted). */
  mine: boolean;
  /** Why the team server refused my last action here, lately; null otherwise. */
  refused?: Refusal | null;
}

/** A thread's claim and state, as the claim control and list chips show them. */
export interface ThreadStateView {
  key: string;
  state: ThreadState;
  /** The claim epoch the next renew, release, resolve or handoff must carry. */
  epoch: number;
  /** Why the team server refused my last action here, lately ("Sam claimed this first"). */
  refused?: Refusal | null;
  claim: null | {
    holder: string;
    holderName: string;
    mine: boolean;
    epoch: number;
    since: number;
    expiresAt: number;
    pending: boolean;
  };
}

/** State for a set of posts and threads. */
export interface StateSnapshot {
  posts: Record<string, PostState>;
  threads: Record<string, ThreadStateView>;
}

/** Where team sync stands (solo: no team, nothing is sent anywhere). */
export interface SyncStatusView {
  state: 'solo' | 'synced' | 'offline' | 'error';
  lastSyncAt: number | null;
  /** What went wrong, in English; pages show the code's message with its detail. */
  error?: string;
  code?: ErrorCode;
  detail?: string;
  team?: string;
  server?: string;
  role?: 'member' | 'manager';
  /** How long a claim lasts (the team's setting; 24 h in solo mode). */
  leaseMs?: number;
}

/** Who I became by joining a team. */
export interface SyncJoined {
  member: { id: string; name: string; role: 'member' | 'manager' };
  team: { id: string; name: string; leaseMs: number };
}

/** Where a description comes from. */
export type DescriptionSource = 'local' | 'team';

/** A site Tend runs on (or could), as the settings list it. */
export interface SiteEntry {
  /** An origin, or a host pattern for built-in networks (`https://*.stackexchange.com`). */
  origin: string;
  builtIn: boolean;
  enabled: boolean;
  granted: boolean;
  /** What read it the last time Tend saw one of its pages (`discourse`, `custom`, …), if ever. */
  seenAs: string | null;
  /** This browser's own description of it. */
  local: { name: string; savedAt: number } | null;
  /** The team's description of it. */
  team: { name: string; by: string } | null;
}

/** The description editor's findings on a page. */
export interface EditorReport {
  url: string;
  title: string;
  counts: Record<string, number>;
  samples: Record<string, string>;
  problems: Record<string, string>;
  /** Where the thread id could come from in this page's address. */
  urlPattern: string | null;
  /** Where a row's thread id could come from in its link, and a post's id in its permalink. */
  linkPattern: string | null;
  permalinkPattern: string | null;
  /** Attributes that could key the posts and rows matched now. */
  ids: { posts: { attr: string; pattern?: string; decimal?: boolean; sample: string }[]; list: { attr: string; pattern?: string; decimal?: boolean; sample: string }[] };
}

/** What a picker found, as the settings page receives it. */
export type PickResult = v.InferOutput<typeof PickedSchema>;

/** What each request answers. */
export interface Replies {
  'page.seen': StateSnapshot & { observed: number };
  'state.get': StateSnapshot;
  'post.endorse': StateSnapshot;
  'post.retract': StateSnapshot;
  'thread.claim': StateSnapshot;
  'thread.renew': StateSnapshot;
  'thread.release': StateSnapshot;
  'thread.resolve': StateSnapshot;
  'thread.handoff': StateSnapshot;
  'app.ping': { version: string };
  'me.get': { id: string; name: string; paused: boolean; team: boolean; handles?: { site: string; handle: string }[] };
  'me.setName': { id: string; name: string };
  'claim.act': { ok: true };
  'settings.setPaused': { paused: boolean };
  'reminders.get': ReminderSettings;
  'reminders.set': ReminderSettings;
  'reminders.seen': { ok: true };
  'site.status': SiteStatus;
  'site.enable': SiteStatus;
  'site.disable': SiteStatus;
  'sync.join': SyncJoined;
  'sync.leave': SyncStatusView;
  'team.setLease': { leaseMs: number };
  'sync.status': SyncStatusView;
  'site.description': { description: unknown; source: DescriptionSource } | null;
  'editor.picked': { ok: true };
  'editor.pickCancelled': { ok: true };
  'sites.list': { sites: SiteEntry[]; team: boolean; manager: boolean };
  'site.description.get': { local: unknown | null; team: unknown | null };
  'site.description.save': { changed: boolean };
  'site.description.remove': { removed: boolean };
  'site.description.publish': { pending: boolean };
  'editor.tabs': { tabs: { id: number; title: string; url: string }[] };
  'editor.inspect': EditorReport;
  'editor.pick': { ok: true };
  'editor.stop': { ok: true };
  'data.import': { added: number; skipped: number };
  'data.wipe': { ok: true };
}

export type Reply<T extends RequestType> = Result<Replies[T]>;

// ------------------------------------------------------------------------------ ports

export { SUBSCRIBE_PORT } from './names';

/** What a subscriber sends over its port: the keys it wants pushed. */
export const WatchSchema = v.strictObject({
  type: v.literal('watch'),
  posts: PostRefs,
  threads: ThreadRefs,
  /** Extension pages: also tell me when my claims or summaries change. */
  mine: v.optional(v.boolean()),
});
export type Watch = v.InferOutput<typeof WatchSchema>;

/** What the background pushes to a subscriber. */
export type PortPush =
  | { type: 'state'; state: StateSnapshot }
  | { type: 'changed'; mine: boolean }
  | { type: 'error'; error: string }
  /** Content: how to read this site changed (a description saved, shared or removed). */
  | { type: 'site' }
  /** Pages: the person picked an element in a tab (or cancelled). */
  | { type: 'picked'; tabId: number; result: PickResult | null; field: string };

/** What the background asks a content script to do for the description editor. */
export type EditorCommand =
  | { command: 'inspect'; description: unknown; outline: boolean }
  | { command: 'pick'; field: string; item?: string }
  | { command: 'stop' };

/** The envelope of editor commands, so content scripts ignore anything else. */
export interface EditorEnvelope {
  tendEditor: 1;
  command: EditorCommand;
}
