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

/** Why a file cannot be imported at all; the page words each as the message `sitesFile_<problem>`. */
export const SITES_FILE_PROBLEMS = ['large', 'json', 'format', 'none', 'many'] as const;
export type SitesFileProblem = (typeof SITES_FILE_PROBLEMS)[number];

/**
 * The descriptions in a file's text, each validated; a file Tend cannot read at all is a
 * problem (with the parser's own words as `detail` where there are any). A description refused
 * is named by its place in the file with the validator's reason.
 */
export function parseSitesFile(text: string): { ok: true; descriptions: SiteDescription[]; refused: string[] } | { ok: false; problem: SitesFileProblem; detail?: string } {
  if (text.length > 2_000_000) return { ok: false, problem: 'large' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: 'json', detail: e instanceof Error ? e.message : String(e) };
  }
  // One description on its own is accepted too (what the editor's JSON view shows).
  const list = data && typeof data === 'object' && 'format' in data ? (data as { format: unknown; descriptions?: unknown }) : { format: SITES_FILE_FORMAT, descriptions: [data] };
  if (list.format !== SITES_FILE_FORMAT) return { ok: false, problem: 'format' };
  if (!Array.isArray(list.descriptions)) return { ok: false, problem: 'none' };
  if (list.descriptions.length > 200) return { ok: false, problem: 'many' };
  const descriptions: SiteDescription[] = [];
  const refused: string[] = [];
  list.descriptions.forEach((d, i) => {
    const r = parseSiteDescription(d);
    if (r.ok) descriptions.push(r.value);
    else refused.push(`#${i + 1}: ${r.reason}`);
  });
  return { ok: true, descriptions, refused };
}
