/**
 * Browser side of the site-adapter benchmark: builds forum pages in the page (parsed, not
 * rendered: adapters read markup, never layout) and times one read of each.
 */
import { describedAdapter } from '../../lib/sites/described';
import { discourse } from '../../lib/sites/discourse';
import { brambleDescription } from '../fixtures/bramble/description';
import { brambleThreadPage, brambleThreadPath } from '../fixtures/bramble/generate';
import { discourseTopicPage } from '../fixtures/discourse/generate';

const ORIGIN = 'https://bramble.example.net';
const bramble = describedAdapter(brambleDescription(ORIGIN));

/** Median milliseconds of `rounds` reads of a page with `posts` posts, and what one read found. */
export function time(kind: 'discourse' | 'described', posts: number, rounds: number): { ms: number[]; posts: number; targets: number; partial: boolean } {
  const thread = { id: 4821, title: 'A very long thread', replies: posts - 1 };
  const html = kind === 'discourse' ? discourseTopicPage({ topicId: 4821, title: thread.title, posts, viewer: 'bob' }) : brambleThreadPage(thread, posts, { member: 'bob' });
  const url = new URL(kind === 'discourse' ? 'https://meta.discourse.org/t/a-very-long-thread/4821' : `${ORIGIN}${brambleThreadPath(thread)}`);
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const adapter = kind === 'discourse' ? discourse : bramble;
  const ms: number[] = [];
  let last = adapter.read(doc, url);
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    last = adapter.read(doc, url);
    ms.push(performance.now() - started);
  }
  return { ms, posts: last?.posts.length ?? 0, targets: last?.targets.length ?? 0, partial: Boolean(last?.partial) };
}
