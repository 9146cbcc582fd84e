/**
 * The background boundary: every runtime message passes here. It checks the envelope and
 * the sender, validates the request against the protocol, and only then hands it to a
 * handler. Anything else gets a `Result` error with a reason and writes nothing.
 */
import * as v from 'valibot';
import { describeIssues, err, type Result } from '../domain';
import { CONTENT_TYPES, ContentRequestSchema, PAGE_TYPES, PageRequestSchema, type AnyRequest } from './protocol';
import { classifySender, sitesIn, type SenderKind, type SenderLike } from './sender';

/** What a handler learns about who asked. */
export type Caller = Exclude<SenderKind, { kind: 'refused' }>;

/** Handles one validated request. */
export type Handle = (request: AnyRequest, caller: Caller) => Promise<Result<unknown>>;

/** Largest message accepted, in characters of JSON: far above any real request. */
export const MAX_MESSAGE_CHARS = 1_000_000;

/** Validates a message from a sender and dispatches it; never throws. */
export async function route(message: unknown, sender: SenderLike | undefined, env: { runtimeId: string; extensionBase: string }, handle: Handle): Promise<Result<unknown>> {
  if (!message || typeof message !== 'object' || (message as { tend?: unknown }).tend !== 1) return err('not a Tend message', 'bad-envelope');
  const caller = classifySender(sender, env.runtimeId, env.extensionBase);
  if (caller.kind === 'refused') return err(caller.reason, 'forbidden');
  const raw = (message as { request?: unknown }).request;
  let size: number;
  try {
    size = JSON.stringify(raw ?? null).length;
  } catch {
    return err('request is not plain data', 'invalid');
  }
  if (size > MAX_MESSAGE_CHARS) return err('request is too large', 'invalid');
  const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || (!CONTENT_TYPES.has(type) && !PAGE_TYPES.has(type))) {
    return err(`unknown request type: ${String(type).slice(0, 40)}`, 'invalid');
  }
  if (caller.kind === 'content' && !CONTENT_TYPES.has(type)) return err(`${type} is only for Tend’s own pages`, 'forbidden');

  const parsed = v.safeParse(CONTENT_TYPES.has(type) ? ContentRequestSchema : PageRequestSchema, raw);
  if (!parsed.success) return err(`invalid ${type}: ${describeIssues(parsed.issues)}`, 'invalid');
  const request = parsed.output as AnyRequest;

  if (caller.kind === 'content') {
    const foreign = [...sitesIn(request)].filter((s) => s !== caller.site);
    if (foreign.length) return err(`a page on ${caller.site} cannot act on ${foreign[0]}`, 'forbidden');
  }
  try {
    return await handle(request, caller);
  } catch (e) {
    return err(e instanceof Error ? e.message : String(e), (e as { code?: string }).code ?? 'failed');
  }
}
