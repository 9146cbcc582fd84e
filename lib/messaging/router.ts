/**
 * The background boundary: every runtime message passes here. It checks the envelope and
 * the sender, validates the request against the protocol, and only then hands it to a
 * handler. Anything else gets a `Result` error with a reason and writes nothing.
 */
import * as v from 'valibot';
import { describeIssues, err, failureOf, type Result } from '../domain';
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
  if (!message || typeof message !== 'object' || (message as { tend?: unknown }).tend !== 1) return err('bad-envelope', 'not a Tend message');
  const caller = classifySender(sender, env.runtimeId, env.extensionBase);
  if (caller.kind === 'refused') return err('forbidden', caller.reason, caller.reason);
  const raw = (message as { request?: unknown }).request;
  let size: number;
  try {
    size = JSON.stringify(raw ?? null).length;
  } catch {
    return err('invalid', 'request is not plain data', 'request is not plain data');
  }
  if (size > MAX_MESSAGE_CHARS) return err('invalid', 'request is too large', 'request is too large');
  const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || (!CONTENT_TYPES.has(type) && !PAGE_TYPES.has(type))) {
    return err('invalid', `unknown request type: ${String(type).slice(0, 40)}`, `unknown request type: ${String(type).slice(0, 40)}`);
  }
  if (caller.kind === 'content' && !CONTENT_TYPES.has(type)) return err('forbidden', `${type} is only for Tend’s own pages`);

  const parsed = v.safeParse(CONTENT_TYPES.has(type) ? ContentRequestSchema : PageRequestSchema, raw);
  if (!parsed.success) {
    const issues = describeIssues(parsed.issues);
    // An export's part that does not fit is the file's problem, and says so.
    return err(type === 'data.import' ? 'import-invalid' : 'invalid', `invalid ${type}: ${issues}`, issues);
  }
  const request = parsed.output as AnyRequest;

  if (caller.kind === 'content') {
    const foreign = [...sitesIn(request)].filter((s) => s !== caller.site);
    if (foreign.length) return err('forbidden', `a page on ${caller.site} cannot act on ${foreign[0]}`, `a page on ${caller.site} cannot act on ${foreign[0]}`);
  }
  try {
    return await handle(request, caller);
  } catch (e) {
    return failureOf(e);
  }
}
