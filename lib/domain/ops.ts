/**
 * Ops: the immutable facts Tend stores and syncs. Every op is validated at run time with
 * these schemas wherever it crosses a boundary (message, IndexedDB read, network), by
 * client and server alike.
 */
import * as v from 'valibot';
import { HLC_PATTERN } from './hlc';
import { OP_ID_PATTERN } from './ids';
import { LOCAL_ID_PATTERN, MAX_NOTE_LENGTH } from './limits';
import { SiteDescriptionSchema } from './site-description';
import { cleanText, isSafeName, UNSAFE_NAME_MESSAGE } from './text';

/** The op format version this build writes and understands. */
export const OP_VERSION = 1;

export { MAX_NOTE_LENGTH } from './limits';

const SITE_PATTERN = /^https?:\/\/[a-z0-9.-]{1,253}(:\d{1,5})?$/;

/** A canonical site id (an origin). */
export const SiteSchema = v.pipe(v.string(), v.regex(SITE_PATTERN, 'site must be an origin'));
/** A platform-canonical thread or post id: no spaces, bounded. */
export const LocalIdSchema = v.pipe(v.string(), v.regex(LOCAL_ID_PATTERN, 'id must be 1-200 characters without spaces'));
/** A site handle (user name on the community site). */
export const HandleSchema = v.pipe(v.string(), v.trim(), v.check(isSafeName, `handle ${UNSAFE_NAME_MESSAGE}`), v.minLength(1), v.maxLength(60, 'handle too long'));
/** A person's or team's display name: what teammates see, so nothing that disguises it. */
export const NameSchema = (max = 60) =>
  v.pipe(v.string(), v.trim(), v.check(isSafeName, `name ${UNSAFE_NAME_MESSAGE}`), v.minLength(1, 'a name is needed'), v.maxLength(max, `name is longer than ${max} characters`));
/** Free text from a page or a person, normalised so every database stores it as given back. */
const FreeText = () => v.pipe(v.string(), v.transform(cleanText));
/** A Tend member id (assigned by the team server, or made locally in solo mode). */
export const MemberIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'malformed member id'));

export const ThreadRefSchema = v.object({ site: SiteSchema, threadId: LocalIdSchema });
export const PostRefSchema = v.object({ site: SiteSchema, threadId: LocalIdSchema, postId: LocalIdSchema });

const Epoch = v.pipe(v.number(), v.integer(), v.minValue(0));

/** Fields an observation may carry; the newest value of each field wins. */
export const ObservedFieldsSchema = v.object({
  title: v.optional(v.pipe(FreeText(), v.maxLength(300))),
  url: v.optional(v.pipe(FreeText(), v.url(), v.maxLength(2000))),
  replies: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  answered: v.optional(v.boolean()),
  author: v.optional(HandleSchema),
  createdAt: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  category: v.optional(v.pipe(FreeText(), v.maxLength(100))),
  tags: v.optional(v.pipe(v.array(v.pipe(FreeText(), v.maxLength(50))), v.maxLength(20))),
});

/** What an op's payload can be, by type. Shared by the client's actions and the server. */
export const PayloadSchemas = {
  endorse: v.object({
    type: v.literal('endorse'),
    post: PostRefSchema,
    /** The post author's handle: recognition is received by a site handle. */
    author: HandleSchema,
    /** The endorser's own handle on that site when known, so self-endorsement is refused. */
    viewer: v.nullable(HandleSchema),
    note: v.optional(v.pipe(FreeText(), v.trim(), v.maxLength(MAX_NOTE_LENGTH, `note is longer than ${MAX_NOTE_LENGTH} characters`))),
  }),
  retract: v.object({ type: v.literal('retract'), post: PostRefSchema }),
  claim: v.object({ type: v.literal('claim'), thread: ThreadRefSchema }),
  renew: v.object({ type: v.literal('renew'), thread: ThreadRefSchema, epoch: Epoch }),
  release: v.object({ type: v.literal('release'), thread: ThreadRefSchema, epoch: Epoch }),
  resolve: v.object({ type: v.literal('resolve'), thread: ThreadRefSchema, epoch: Epoch }),
  handoff: v.object({ type: v.literal('handoff'), thread: ThreadRefSchema, epoch: Epoch, to: MemberIdSchema }),
  observe: v.object({ type: v.literal('observe'), thread: ThreadRefSchema, fields: ObservedFieldsSchema }),
  /** A manager shares how to read a forum with the team (null takes it back). */
  site: v.object({ type: v.literal('site'), origin: SiteSchema, description: v.nullable(SiteDescriptionSchema) }),
  member: v.object({
    type: v.literal('member'),
    name: v.optional(NameSchema(60)),
    handles: v.optional(v.pipe(v.array(v.object({ site: SiteSchema, handle: HandleSchema })), v.maxLength(50))),
  }),
} as const;

/** Any payload, discriminated by `type`. */
export const PayloadSchema = v.variant('type', Object.values(PayloadSchemas) as [
  (typeof PayloadSchemas)['endorse'],
  ...(typeof PayloadSchemas)[keyof typeof PayloadSchemas][],
]);

const OpHeader = {
  v: v.literal(OP_VERSION),
  id: v.pipe(v.string(), v.regex(OP_ID_PATTERN, 'malformed op id')),
  hlc: v.pipe(v.string(), v.regex(HLC_PATTERN, 'malformed clock')),
  actor: MemberIdSchema,
};

/** A complete op. */
export const OpSchema = v.variant(
  'type',
  Object.values(PayloadSchemas).map((s) => v.object({ ...OpHeader, ...s.entries })) as unknown as [
    v.ObjectSchema<typeof OpHeader & (typeof PayloadSchemas)['endorse']['entries'], undefined>,
  ],
);

export type OpType = keyof typeof PayloadSchemas;
export type Payload<T extends OpType = OpType> = v.InferOutput<(typeof PayloadSchemas)[T]>;
export type ObservedFields = v.InferOutput<typeof ObservedFieldsSchema>;

/** Header common to every op. */
export interface OpHeader {
  v: typeof OP_VERSION;
  id: string;
  hlc: string;
  actor: string;
}

/** An op of a given type. */
export type Op<T extends OpType = OpType> = T extends OpType ? OpHeader & Payload<T> : never;
export type ClaimOpType = 'claim' | 'renew' | 'release' | 'resolve' | 'handoff';
export type ClaimOp = Op<ClaimOpType>;

/** An op the authority (team server, or the local store in solo mode) accepted. */
export type AcceptedOp<T extends OpType = OpType> = Op<T> & {
  /** Position in the team's commit order. */
  seq: number;
  /** Authority's clock when accepted (ms); leases are judged against it. */
  at: number;
};

/** A validation outcome with a human-readable reason. */
export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Turns valibot issues into one readable line: `post.postId: id must be ...`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((i) => {
      const path = i.path?.map((p) => String(p.key)).join('.');
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
}

/** Validates anything against a schema, giving a `Validated` result. */
export function validate<S extends v.GenericSchema>(schema: S, input: unknown): Validated<v.InferOutput<S>> {
  const r = v.safeParse(schema, input);
  return r.success ? { ok: true, value: r.output } : { ok: false, reason: describeIssues(r.issues) };
}

/**
 * Each type's op schema. The variant tries its options' `type` one after another (a dataset
 * and a key set each); an op of a known type gets exactly its option's result, so it goes
 * there at once, and anything else through the variant, for the variant's own issues.
 */
const OP_SCHEMA_BY_TYPE = new Map<unknown, v.GenericSchema>(OpSchema.options.map((s) => [s.entries.type.literal, s]));

/** Validates an op from anywhere untrusted. Ops from a newer Tend get a clear answer. */
export function parseOp(input: unknown): Validated<Op> {
  if (input && typeof input === 'object' && 'v' in input && typeof input.v === 'number' && input.v > OP_VERSION) {
    return { ok: false, reason: `op format ${input.v} is newer than this Tend understands: update Tend` };
  }
  const schema = input && typeof input === 'object' && Object.hasOwn(input, 'type') ? OP_SCHEMA_BY_TYPE.get((input as { type: unknown }).type) : undefined;
  return validate(schema ?? OpSchema, input) as Validated<Op>;
}

export { compareOps, isClaimOp, isThreadOp } from './op-kinds';
