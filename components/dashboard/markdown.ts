/**
 * "Thanks this week" as Markdown ready to paste into a forum post or a chat: each person
 * thanked, with what they were thanked for in their thankers' own words.
 */
import type { FeedItem } from '../../lib/store/queries';
import type { Translate } from '../i18n';

/**
 * Text shown literally in Markdown: emphasis, links, code, HTML and tables are escaped
 * anywhere, and what would start a heading, a list or a quote only at the start of a line,
 * so dates and host names read as written.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()<>|~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#+\-=>])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2');
}

/** A URL as a Markdown link target: parentheses and spaces would end it early. */
function linkTarget(url: string): string {
  return url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * The week's thanks by person, most thanked first; notes are quoted, thanks without a note
 * are counted. `nameOf` gives a thanker's name.
 */
export function thanksMarkdown(t: Translate, week: string, items: readonly FeedItem[], nameOf: (actor: string) => string): string {
  const byPerson = new Map<string, FeedItem[]>();
  for (const item of items) {
    const list = byPerson.get(item.person) ?? [];
    list.push(item);
    byPerson.set(item.person, list);
  }
  const people = [...byPerson.values()].sort((a, b) => b.length - a.length || a[0]!.handle.localeCompare(b[0]!.handle));
  const lines = [`## ${escapeMarkdown(t('db_mdTitle', week))}`, ''];
  if (!people.length) lines.push(escapeMarkdown(t('db_mdNone')), '');
  for (const list of people) {
    const first = list[0]!;
    lines.push(`### ${escapeMarkdown(first.handle)} (${escapeMarkdown(new URL(first.site).host)})`, '');
    const noted = list.filter((i) => i.note).sort((a, b) => a.at - b.at);
    for (const item of noted) {
      for (const line of item.note!.split(/\r?\n/)) lines.push(`> ${escapeMarkdown(line)}`);
      const where = item.threadTitle ? (item.threadUrl ? ` — [${escapeMarkdown(item.threadTitle)}](${linkTarget(item.threadUrl)})` : ` — ${escapeMarkdown(item.threadTitle)}`) : '';
      lines.push(`> — ${escapeMarkdown(nameOf(item.actor))}${where}`, '');
    }
    const plain = list.length - noted.length;
    if (plain) lines.push(escapeMarkdown(noted.length ? t('db_mdMore', plain) : t('db_mdOnly', plain)), '');
  }
  return lines.join('\n').trimEnd() + '\n';
}
