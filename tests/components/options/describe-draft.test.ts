import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { descriptionToDraft, draftToDescription, emptyDraft } from '../../../components/options/describe-draft';
import { SITES_FILE_FORMAT, SITES_FILE_PROBLEMS, exportSites, parseSitesFile } from '../../../components/options/site-io';
import { parseSiteDescription } from '../../../lib/domain/site-description';
import { brambleDescription } from '../../fixtures/bramble/description';

const ORIGIN = 'https://bramble.example.net';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('the editor’s form', () => {
  it('says what it can from the first field, and is a valid description once filled in', () => {
    const d = emptyDraft(ORIGIN);
    expect(d.name).toBe('bramble.example.net');
    expect(draftToDescription(d)).toEqual({ version: 1, name: 'bramble.example.net', origins: [ORIGIN] });
    const partial = draftToDescription({ ...d, postItem: 'section.entry' });
    expect(partial.posts?.item).toBe('section.entry');
    expect(parseSiteDescription(partial).ok).toBe(false);

    const full = draftToDescription({
      ...d,
      threadTitle: 'h2.discussion__title',
      threadIdPattern: '^/thread/(\\d+)',
      postItem: 'section.entry',
      postAuthor: 'span.who b',
      postIdAttr: 'data-entry',
      postIdPattern: '^e-(\\d+)$',
      postPermalink: 'a.plink',
      rowItem: 'li.topic-line',
      rowTitle: 'a.topic-line__go',
      rowIdPattern: '^/thread/(\\d+)',
    });
    expect(parseSiteDescription(full)).toMatchObject({ ok: true });
    expect(full.thread?.anchor).toEqual({ selector: 'h2.discussion__title', element: 'h2.discussion__title', placement: 'after' });
    expect(full.list?.id).toEqual({ selector: 'a.topic-line__go', attr: 'href', pattern: '^/thread/(\\d+)' });
    // Back to the form and out again: the same description.
    expect(draftToDescription(descriptionToDraft(parseSiteDescription(full).ok ? (full as never) : (null as never), ORIGIN)!)).toEqual(full);
  });

  it('shows a saved description in the form when it can, and says when it cannot', () => {
    const draft = descriptionToDraft(brambleDescription(ORIGIN), ORIGIN)!;
    expect(draft).toMatchObject({ threadContainer: 'article.discussion', postItem: 'section.entry', postAuthor: 'span.who b', postIdAttr: 'data-entry', rowIdFrom: 'link' });
    const rich = { ...brambleDescription(ORIGIN), posts: { ...brambleDescription(ORIGIN).posts!, author: [{ selector: 'b' }, { attr: 'data-author' }] } };
    expect(descriptionToDraft(rich, ORIGIN)).toBeNull();
  });
});

describe('description files', () => {
  it('export and import round-trip, one description alone is accepted, and bad ones are named', () => {
    const text = exportSites([brambleDescription(ORIGIN)]);
    expect(JSON.parse(text).format).toBe(SITES_FILE_FORMAT);
    expect(parseSitesFile(text)).toEqual({ ok: true, descriptions: [brambleDescription(ORIGIN)], refused: [] });
    expect(parseSitesFile(JSON.stringify(brambleDescription(ORIGIN)))).toMatchObject({ ok: true, descriptions: [{ name: 'Bramble' }] });
    const mixed = parseSitesFile(JSON.stringify({ format: SITES_FILE_FORMAT, version: 1, descriptions: [brambleDescription(ORIGIN), { version: 1, name: 'x', origins: ['https://x.example'], posts: { item: ':has(a)' } }] }));
    expect(mixed).toMatchObject({ ok: true, descriptions: [{ name: 'Bramble' }], refused: [expect.stringMatching(/^#2: .*:has/)] });
    expect(parseSitesFile('not json')).toMatchObject({ ok: false, problem: 'json', detail: expect.stringMatching(/JSON/) });
    expect(parseSitesFile(JSON.stringify({ format: 'something-else' }))).toEqual({ ok: false, problem: 'format' });
    expect(parseSitesFile(JSON.stringify({ format: SITES_FILE_FORMAT }))).toEqual({ ok: false, problem: 'none' });
    expect(parseSitesFile(JSON.stringify({ format: SITES_FILE_FORMAT, descriptions: Array(201).fill({}) }))).toEqual({ ok: false, problem: 'many' });
    expect(parseSitesFile(' '.repeat(2_000_001))).toEqual({ ok: false, problem: 'large' });
  });

  it('words every reason a file cannot be imported in English and Spanish', () => {
    for (const locale of ['en', 'es']) {
      const messages = JSON.parse(readFileSync(path.join(ROOT, 'public', '_locales', locale, 'messages.json'), 'utf8')) as Record<string, { message: string }>;
      expect(SITES_FILE_PROBLEMS.filter((p) => !messages[`sitesFile_${p}`]?.message), locale).toEqual([]);
    }
  });
});
