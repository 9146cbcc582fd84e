/**
 * Observations: what members' browsers saw of a thread. Each field is last-writer-wins
 * by clock, so the fold is order-insensitive; a visit emits an op only for changed fields.
 */
import type { ObservedFields, Op } from './ops';
import { compareOps } from './op-kinds';
import { threadKey, type ThreadRef } from './refs';

type FieldName = keyof ObservedFields;

/** One observed value with the op that set it. */
export interface ObservedValue<T> {
  value: T;
  hlc: string;
  opId: string;
}

/** Everything observed of one thread, field by field. */
export interface Observation {
  key: string;
  thread: ThreadRef;
  fields: { [K in FieldName]?: ObservedValue<NonNullable<ObservedFields[K]>> };
}

/** Applies one observe op: each field it carries wins if newer than what is stored. */
export function applyObservation(current: Observation | undefined, op: Op<'observe'>): Observation {
  const next: Observation = current
    ? { ...current, fields: { ...current.fields } }
    : { key: threadKey(op.thread), thread: { site: op.thread.site, threadId: op.thread.threadId }, fields: {} };
  for (const [name, value] of Object.entries(op.fields) as [FieldName, unknown][]) {
    if (value === undefined) continue;
    const old = next.fields[name];
    if (old && compareOps({ hlc: old.hlc, id: old.opId }, op) >= 0) continue;
    (next.fields as Record<string, ObservedValue<unknown>>)[name] = { value, hlc: op.hlc, opId: op.id };
  }
  return next;
}

/** Folds observe ops (others are ignored) into observations by thread key. */
export function foldObservations(ops: Iterable<Op>): Map<string, Observation> {
  const out = new Map<string, Observation>();
  for (const op of ops) {
    if (op.type !== 'observe') continue;
    const key = threadKey(op.thread);
    out.set(key, applyObservation(out.get(key), op));
  }
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * The fields of a fresh sighting that differ from what is already known, or null when
 * nothing changed: a page visit emits an `observe` op only then.
 */
export function observationDelta(current: Observation | undefined, seen: ObservedFields): ObservedFields | null {
  const delta: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(seen) as [FieldName, unknown][]) {
    if (value === undefined) continue;
    if (!sameValue(current?.fields[name]?.value, value)) delta[name] = value;
  }
  return Object.keys(delta).length ? (delta as ObservedFields) : null;
}

/** Plain field values of an observation. */
export function observedValues(o: Observation | undefined): ObservedFields {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(o?.fields ?? {})) if (f) out[name] = f.value;
  return out as ObservedFields;
}
