/**
 * The file Tend exports and imports: everything it stores (accepted ops, my pending ops, the
 * roster, settings, the sites enabled in this browser, site descriptions), validated with
 * valibot on the way in. Ops carry their ids, so importing the same file twice changes nothing.
 */
import * as v from 'valibot';
import { describeIssues, MemberIdSchema, OpSchema, SiteSchema, type AcceptedOp } from '../domain';

/** The format this build writes and reads. */
export const EXPORT_VERSION = 1;
/** How many ops one import request carries. */
export const IMPORT_CHUNK = 1_000;

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** An accepted op as exported: the op, its place in the accepted order and the authority's time. */
export const AcceptedOpSchema = v.pipe(
  v.unknown(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const raw = dataset.value as { seq?: unknown; at?: unknown } | null;
    if (!raw || typeof raw !== 'object') {
      addIssue({ message: 'an op must be an object' });
      return NEVER;
    }
    const { seq, at, ...rest } = raw as Record<string, unknown>;
    const meta = v.safeParse(v.object({ seq: Count, at: Count }), { seq, at });
    const op = v.safeParse(OpSchema, rest);
    if (!meta.success || !op.success) {
      addIssue({ message: describeIssues([...(meta.issues ?? []), ...(op.issues ?? [])]) });
      return NEVER;
    }
    return { ...op.output, seq: meta.output.seq, at: meta.output.at } as AcceptedOp;
  }),
);

/** A roster entry. */
export const PersonSchema = v.object({
  id: MemberIdSchema,
  name: v.pipe(v.string(), v.maxLength(60)),
  role: v.picklist(['member', 'manager']),
  handleKeys: v.pipe(v.array(v.pipe(v.string(), v.maxLength(400))), v.maxLength(50)),
  handles: v.pipe(v.array(v.object({ site: SiteSchema, handle: v.pipe(v.string(), v.maxLength(60)) })), v.maxLength(50)),
});

/** The whole export file. */
export const ExportSchema = v.object({
  tend: v.literal('export'),
  version: v.literal(EXPORT_VERSION),
  exportedAt: Count,
  ops: v.array(AcceptedOpSchema),
  outbox: v.optional(v.array(OpSchema), []),
  people: v.optional(v.pipe(v.array(PersonSchema), v.maxLength(10_000)), []),
  settings: v.optional(v.nullable(v.object({ leaseMs: v.pipe(v.number(), v.integer(), v.minValue(60_000)) })), null),
  paused: v.optional(v.boolean(), false),
  enabledOrigins: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(300))), v.maxLength(1_000)), []),
  /** This browser's descriptions and the team's, by origin, as stored (each checked again on import). */
  localSites: v.optional(v.record(v.string(), v.unknown()), {}),
  teamSites: v.optional(v.record(v.string(), v.unknown()), {}),
});

export type TendExport = v.InferOutput<typeof ExportSchema>;

/** Why a file could not be imported, as a code the page puts in words, with the detail. */
export type ImportProblem = { code: 'not-json' | 'not-tend' | 'newer' | 'invalid'; detail: string };

/** Reads an export file's text: the validated export, or the problem. */
export function parseExport(text: string): { ok: true; value: TendExport } | { ok: false; problem: ImportProblem } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: { code: 'not-json', detail: e instanceof Error ? e.message : String(e) } };
  }
  if (!raw || typeof raw !== 'object' || (raw as { tend?: unknown }).tend !== 'export') return { ok: false, problem: { code: 'not-tend', detail: '' } };
  const version = (raw as { version?: unknown }).version;
  if (typeof version === 'number' && version > EXPORT_VERSION) return { ok: false, problem: { code: 'newer', detail: String(version) } };
  const r = v.safeParse(ExportSchema, raw);
  if (!r.success) return { ok: false, problem: { code: 'invalid', detail: describeIssues(r.issues) } };
  return { ok: true, value: r.output };
}

/** One import request's worth: ops in accepted order, and (with the first chunk) the rest. */
export const ImportChunkSchema = v.strictObject({
  ops: v.pipe(v.array(AcceptedOpSchema), v.maxLength(IMPORT_CHUNK, 'too many ops in one request')),
  people: v.optional(v.pipe(v.array(PersonSchema), v.maxLength(10_000))),
  settings: v.optional(v.nullable(v.object({ leaseMs: v.pipe(v.number(), v.integer(), v.minValue(60_000)) }))),
  paused: v.optional(v.boolean()),
  localSites: v.optional(v.record(v.string(), v.unknown())),
});

export type ImportChunk = v.InferOutput<typeof ImportChunkSchema>;

/**
 * Splits an export into import requests, ops in accepted order. Pending ops of the device that
 * exported are in the file for the record, but not imported: they were never accepted, and
 * this device cannot send them as someone else.
 */
export function importChunks(file: TendExport): ImportChunk[] {
  const ops = [...file.ops].sort((a, b) => a.seq - b.seq);
  const chunks: ImportChunk[] = [];
  for (let i = 0; i < ops.length || i === 0; i += IMPORT_CHUNK) chunks.push({ ops: ops.slice(i, i + IMPORT_CHUNK) });
  chunks[0] = { ...chunks[0]!, people: file.people, settings: file.settings, paused: file.paused, localSites: file.localSites };
  return chunks;
}
