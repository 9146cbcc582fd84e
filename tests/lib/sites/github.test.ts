/**
 * The GitHub adapter on the project's GitHub pages: one number space for issues and pull
 * requests, another for discussions; permanent comment ids; closed, merged and answered
 * states; nested discussion replies; the signed-in login; and nothing read while a soft
 * navigation has the address and the page disagree.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalSite } from '../../../lib/domain/refs';
import { readPage } from '../../../lib/sites';
import { conversationKey, github, parseConversation } from '../../../lib/sites/github';
import { GITHUB_FIXTURES, ghComments, githubIssueReact } from '../../fixtures/github/generate';
import { closePages, parsePage } from './load-page';

afterAll(closePages);

const read = (name: keyof typeof GITHUB_FIXTURES | string, url?: string) => {
  const f = GITHUB_FIXTURES[name]!;
  return readPage(parsePage(f.html(), url ?? f.url), new URL(url ?? f.url))!;
};

describe('GitHub keys', () => {
  it('issues and pull requests share one number space per repository; discussions have their own', () => {
    expect(conversationKey(parseConversation('/Tend-Demo/Widgets/pull/58')!)).toBe('tend-demo/widgets/issues/58');
    expect(conversationKey(parseConversation('tend-demo/widgets/issues/58')!)).toBe('tend-demo/widgets/issues/58');
    expect(conversationKey(parseConversation('/tend-demo/widgets/discussions/58')!)).toBe('tend-demo/widgets/discussions/58');
    expect(conversationKey(parseConversation('/orgs/community/discussions/7')!)).toBe('orgs/community/discussions/7');
    for (const bad of ['/tend-demo/widgets/pulls', '/tend-demo/widgets/issues/0', '/tend-demo/widgets/issues/x', '/tend-demo/issues/5', '/a b/c/issues/1', '/tend-demo/widgets/wiki/5']) {
      expect(parseConversation(bad), bad).toBeNull();
    }
  });

  it('a pull request and its row in the list of pull requests have one key, with the address GitHub gives it', () => {
    const page = read('pull.html');
    const list = read('pulls.html');
    expect(page.threads[0]).toMatchObject({ threadId: 'tend-demo/widgets/issues/58', url: 'https://github.com/tend-demo/widgets/pull/58', answered: true });
    expect(list.threads.find((t) => t.threadId === 'tend-demo/widgets/issues/58')).toMatchObject({ url: 'https://github.com/tend-demo/widgets/pull/58', answered: true, replies: 3 });
    // Its body, comments and review, by their permanent anchors.
    expect(page.posts.map((p) => p.postId)).toEqual(['issue-3429313834', 'issuecomment-3335416053', 'issuecomment-3335416054', 'pullrequestreview-2200000001']);
  });

  it('a discussion: the question, answers and the reply nested in the marked answer, each by its own author; answered', () => {
    const r = read('discussion.html');
    expect(r.threads[0]).toMatchObject({ threadId: 'tend-demo/widgets/discussions/45', answered: true, category: 'Q&A', author: 'cyrus' });
    expect(r.posts.map((p) => [p.postId, p.author, p.isQuestion ?? false])).toEqual([
      ['discussion-38686', 'cyrus', true],
      ['discussioncomment-143357', 'octo-ada', false],
      ['discussioncomment-143360', 'cyrus', false],
      ['discussioncomment-143358', 'dana-k', false],
    ]);
    // The answer's "this helped" goes in its own header, never in its reply's.
    const answer = r.targets.find((t) => t.kind === 'post' && t.post.postId === 'discussioncomment-143357')!;
    expect(answer.anchor.closest('[id^="discussioncomment-"]')!.id).toBe('discussioncomment-143357');
    const unanswered = githubIssueReact({ owner: 'tend-demo', repo: 'widgets', number: 60, title: 'x', author: 'a', state: 'open', id: 1, comments: [] });
    expect(readPage(parsePage(unanswered, 'https://github.com/tend-demo/widgets/issues/60'), new URL('https://github.com/tend-demo/widgets/issues/60'))!.threads[0]!.answered).toBe(false);
  });

  it('closed issues and merged pull requests count as answered, in lists too; open ones as not', () => {
    expect(read('issue-classic.html').threads[0]!.answered).toBe(true);
    expect(read('issues-react.html').threads.map((t) => [t.threadId, t.answered])).toEqual([
      ['tend-demo/widgets/issues/56', false],
      ['tend-demo/widgets/issues/55', false],
      ['tend-demo/widgets/issues/54', true],
    ]);
    expect(read('discussions.html').threads.map((t) => t.answered)).toEqual([true, false]);
  });

  it("reads the React view's state from its label's words when the label carries no icon (logged out)", () => {
    const url = 'https://github.com/tend-demo/widgets/issues/62';
    const page = (state: 'open' | 'closed') =>
      githubIssueReact({ owner: 'tend-demo', repo: 'widgets', number: 62, title: 't', author: 'a', state, id: 3, comments: [] }).replace(/<svg class="octicon octicon-issue-(opened|closed)"[^>]*><\/svg>/, '');
    expect(page('closed')).not.toContain('octicon-issue-closed');
    expect(readPage(parsePage(page('closed'), url), new URL(url))!.threads[0]!.answered).toBe(true);
    expect(readPage(parsePage(page('open'), url), new URL(url))!.threads[0]!.answered).toBe(false);
  });

  it('reads the signed-in login, and none when logged out', () => {
    expect(read('issue-react.html').viewer).toBe('brook');
    const out = githubIssueReact({ owner: 'o', repo: 'r', number: 1, title: 't', author: 'a', state: 'open', id: 9, comments: [] });
    expect(readPage(parsePage(out, 'https://github.com/o/r/issues/1'), new URL('https://github.com/o/r/issues/1'))!.viewer).toBeNull();
  });
});

describe('GitHub pages in between', () => {
  it('reads no conversation and no post while the address names another conversation than the page shows', () => {
    const f = GITHUB_FIXTURES['issue-react.html']!;
    const r = readPage(parsePage(f.html(), 'https://github.com/tend-demo/widgets/issues/57'), new URL('https://github.com/tend-demo/widgets/issues/57'))!;
    expect(r.threads).toEqual([]);
    expect(r.posts).toEqual([]);
    expect(r.targets).toEqual([]);
  });

  it('reads nothing on pages that are not conversations or lists, nor on other hosts', () => {
    const f = GITHUB_FIXTURES['issue-react.html']!;
    const files = readPage(parsePage(f.html(), 'https://github.com/tend-demo/widgets/blob/main/README.md'), new URL('https://github.com/tend-demo/widgets/blob/main/README.md'));
    expect(files?.threads ?? []).toEqual([]);
    expect(github.detect(parsePage(f.html(), 'https://gist.github.com/x/1'), new URL('https://gist.github.com/x/1'))).toBe(false);
    expect(github.detect(parsePage(f.html(), 'https://github.com.evil.test/x'), new URL('https://github.com.evil.test/tend-demo/widgets/issues/56'))).toBe(false);
    expect(canonicalSite('https://www.github.com/x')).toBe('https://github.com');
  });

  it('reads a long issue whole: 500 comments, each once', () => {
    const html = githubIssueReact({ owner: 'tend-demo', repo: 'widgets', number: 70, title: 'Long', author: 'octo-ada', state: 'open', id: 5, comments: ghComments(500) });
    const r = readPage(parsePage(html, 'https://github.com/tend-demo/widgets/issues/70'), new URL('https://github.com/tend-demo/widgets/issues/70'))!;
    expect(r.posts).toHaveLength(501);
    expect(new Set(r.posts.map((p) => p.postId)).size).toBe(501);
    expect(r.partial).toBeUndefined();
  }, 60_000);
});
