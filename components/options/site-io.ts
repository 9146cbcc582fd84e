/**
 * Site descriptions as a file: what "Export" writes and "Import" reads. The file names its
 * format, so a file of anything else is refused with a reason rather than half-read.
 */
import { parseSiteDescription, type SiteDescription } from '../../lib/domain/site-description';

/** The `format` field of an exported file. */
export const SITES_FILE_FORMAT = 'tend-site-descriptions';

/** The file's text for these descriptions. */
export function exportSites(descriptions: readonly SiteDescription[]): string {
  return `${JSON.stringify({ format: SITES_FILE_FORMAT, version: 1, descriptions }, null, 2)}\n`;
}

/** The descriptions in a file's text, each validated; a file Tend cannot read at all is an error. */
export function parseSitesFile(text: string): { ok: true; descriptions: SiteDescription[]; refused: string[] } | { ok: false; reason: string } {
  if (text.length > 2_000_000) return { ok: false, reason: 'the file is larger than 2 MB' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `the file is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  // One description on its own is accepted too (what the editor's JSON view shows).
  const list = data && typeof data === 'object' && 'format' in data ? (data as { format: unknown; descriptions?: unknown }) : { format: SITES_FILE_FORMAT, descriptions: [data] };
  if (list.format !== SITES_FILE_FORMAT) return { ok: false, reason: 'the file is not a Tend export of site descriptions' };
  if (!Array.isArray(list.descriptions)) return { ok: false, reason: 'the file lists no descriptions' };
  if (list.descriptions.length > 200) return { ok: false, reason: 'the file lists more than 200 descriptions' };
  const descriptions: SiteDescription[] = [];
  const refused: string[] = [];
  list.descriptions.forEach((d, i) => {
    const r = parseSiteDescription(d);
    if (r.ok) descriptions.push(r.value);
    else refused.push(`#${i + 1}: ${r.reason}`);
  });
  return { ok: true, descriptions, refused };
}
