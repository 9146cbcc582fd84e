/**
 * Browser side of the site-adapter benchmark: builds forum pages in the page (parsed, not
 * rendered: adapters read markup, never layout) and times one read of each.
 */
import { describedAdapter } from '../../lib/sites/described';
import { discourse } from '../../lib/sites/discourse';
import { github } from '../../lib/sites/github';
import { reddit } from '../../lib/sites/reddit';
import { stackexchange } from '../../lib/sites/stackexchange';
import type { SiteAdapter } from '../../lib/sites/types';
import { brambleDescription } from '../fixtures/bramble/description';
import { brambleThreadPage, brambleThreadPath } from '../fixtures/bramble/generate';
import { discourseTopicPage } from '../fixtures/discourse/generate';
import { ghComments, githubIssueReact } from '../fixtures/github/generate';
import { RD_POST, rdComments, shredditThread } from '../fixtures/reddit/generate';
import { ADA, questionPage, seAnswers } from '../fixtures/stackexchange/generate';

const ORIGIN = 'https://bramble.example.net';
const bramble = describedAdapter(brambleDescription(ORIGIN));

/** What is read: a page with `posts` posts, its address, and the adapter. */
function page(kind: string, posts: number): { html: string; url: string; adapter: SiteAdapter } {
  const thread = { id: 4821, title: 'A very long thread', replies: posts - 1 };
  switch (kind) {
    case 'discourse':
      return { html: discourseTopicPage({ topicId: 4821, title: thread.title, posts, viewer: 'bob' }), url: 'https://meta.discourse.org/t/a-very-long-thread/4821', adapter: discourse };
    case 'github':
      return { html: githubIssueReact({ owner: 'tend-demo', repo: 'widgets', number: 4821, title: thread.title, author: 'octo-ada', state: 'open', id: 1, comments: ghComments(posts - 1) }, { viewer: 'brook' }), url: 'https://github.com/tend-demo/widgets/issues/4821', adapter: github };
    case 'stackexchange':
      return { html: questionPage({ id: 4821, title: thread.title, author: ADA, tags: [], answers: seAnswers(posts - 1, 90_000_000, true) }), url: 'https://stackoverflow.com/questions/4821/a-very-long-thread', adapter: stackexchange };
    case 'reddit':
      return { html: shredditThread(RD_POST, rdComments(posts - 1), { viewer: 'brookside' }), url: `https://www.reddit.com/r/${RD_POST.sub}/comments/${RD_POST.id}/${RD_POST.slug}/`, adapter: reddit };
    default:
      return { html: brambleThreadPage(thread, posts, { member: 'bob' }), url: `${ORIGIN}${brambleThreadPath(thread)}`, adapter: bramble };
  }
}

/** Milliseconds of `rounds` reads of a page with `posts` posts, and what one read found. */
export function time(kind: string, posts: number, rounds: number): { ms: number[]; posts: number; targets: number; partial: boolean } {
  const { html, url, adapter } = page(kind, posts);
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const ms: number[] = [];
  let last = adapter.read(doc, new URL(url));
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    last = adapter.read(doc, new URL(url));
    ms.push(performance.now() - started);
  }
  return { ms, posts: last?.posts.length ?? 0, targets: last?.targets.length ?? 0, partial: Boolean(last?.partial) };
}
