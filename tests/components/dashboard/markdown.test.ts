import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../components/dashboard/csv';
import { escapeMarkdown, thanksMarkdown } from '../../../components/dashboard/markdown';
import type { FeedItem } from '../../../lib/store/queries';
import { englishT } from '../translator';

const item = (over: Partial<FeedItem>): FeedItem => ({
  key: Math.random().toString(36),
  actor: 'm1',
  person: 'https://forum.example.org sam',
  handle: 'sam',
  site: 'https://forum.example.org',
  note: null,
  at: 1,
  threadTitle: null,
  threadUrl: null,
  ...over,
});

describe('thanks this week as Markdown', () => {
  it('quotes each person’s notes in their thankers’ words, most thanked first, and counts the rest', () => {
    const names: Record<string, string> = { m1: 'Ada', m2: 'Bo' };
    const md = thanksMarkdown(
      englishT,
      '2026-11-30',
      [
        item({ person: 'x carol', handle: 'carol', note: 'Clear steps', actor: 'm2', at: 5 }),
        item({ note: 'Fixed my *build*', at: 2, threadTitle: 'Build fails', threadUrl: 'https://forum.example.org/t/build (2)/1' }),
        item({ note: 'Second line\nhere', actor: 'm2', at: 3 }),
        item({ at: 4 }),
      ],
      (id) => names[id]!,
    );
    expect(md).toBe(
      [
        '## Thanks for the week of 2026-11-30',
        '',
        '### sam (forum.example.org)',
        '',
        '> Fixed my \\*build\\*',
        '> — Ada — [Build fails](https://forum.example.org/t/build%20%282%29/1)',
        '',
        '> Second line',
        '> here',
        '> — Bo',
        '',
        'And 1 more thanks without a note.',
        '',
        '### carol (forum.example.org)',
        '',
        '> Clear steps',
        '> — Bo',
        '',
      ].join('\n'),
    );
  });

  it('says so when nobody was thanked, and escapes what Markdown would read', () => {
    expect(thanksMarkdown(englishT, '2026-11-30', [], () => '')).toContain('Nobody was thanked this week');
    expect(escapeMarkdown('<img src=x> [a](b) # _x_')).toBe('\\<img src=x\\> \\[a\\]\\(b\\) # \\_x\\_');
    expect(escapeMarkdown('# not a heading\n- not a list\n1. not a list\nv1.2-beta on host.example')).toBe('\\# not a heading\n\\- not a list\n1\\. not a list\nv1.2-beta on host.example');
    expect(thanksMarkdown(englishT, '2026-11-30', [item({}), item({})], () => '')).toContain('Thanked 2 × without a note.');
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and keeps spreadsheets from running formulas', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['=SUM(A1)', null], [-1, 'line\nbreak']])).toBe('a,b\r\n"x,y","say ""hi"""\r\n\'=SUM(A1),\r\n-1,"line\nbreak"\r\n');
  });
});
