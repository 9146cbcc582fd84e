/**
 * Every CSS selector the GitHub adapter relies on, in one place, so a markup change on GitHub
 * is a change here. Lists are fallbacks tried in order (the React views first, then the
 * classic timeline that pull requests, Discussions and older issue pages still use).
 *
 * Each entry names the fixtures it is checked against (tests/fixtures/github/… are the
 * project's own pages, written after GitHub's public markup; `real/…` are saved pages among
 * the real fixtures, tests/helpers/real-fixtures.ts) and a public page that shows the same
 * markup, for re-checking when GitHub changes. The public URLs were not fetched live when
 * these were written; the fixtures were.
 */

const GH_ISSUE = 'https://github.com/kepano/defuddle/issues/56';
const GH_ISSUES = 'https://github.com/anthropics/claude-code/issues';
const GH_PULL = 'https://github.com/diffplug/gitcasso/pull/58';
const GH_PULLS = 'https://github.com/refined-github/refined-github/pulls';
const GH_DISCUSSION = 'https://github.com/vercel/next.js/discussions/18311';
const GH_DISCUSSIONS = 'https://github.com/vercel/next.js/discussions';

/** Public pages to re-check the selectors on (see each entry). */
export const GITHUB_EXAMPLE_URLS = [GH_ISSUE, GH_ISSUES, GH_PULL, GH_PULLS, GH_DISCUSSION, GH_DISCUSSIONS] as const;

/** The GitHub selectors, by what they find. */
export const GH = {
  // ── Whole page ────────────────────────────────────────────────────────────────────────
  /** The signed-in user's login (`content`, empty when logged out). issue-react.html, issues-react.html, pull.html, real/gh-issue-kepano-defuddle-56, real/github-issues-list-anthropics-claude-code-2025-09; GH_ISSUES. */
  userLogin: 'meta[name="user-login"]',

  // ── A conversation: issue (React view or classic timeline), pull request, discussion ────
  /** What holds one conversation's header: the React issue view, the classic header of pull requests, Discussions and older issues. issue-react.html, issue-classic.html, pull.html, discussion.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE, GH_PULL, GH_DISCUSSION. */
  conversation: ['[data-testid="issue-viewer-container"]', '#partial-discussion-header'],
  /** The title. issue-react.html, issue-classic.html, pull.html, discussion.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE, GH_PULL, GH_DISCUSSION. */
  title: ['[data-testid="issue-title"]', '#partial-discussion-header .js-issue-title'],
  /** The number next to the title ("#56"), to check the page shows the conversation its address names. issue-react.html, issue-classic.html, pull.html, discussion.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE, GH_PULL, GH_DISCUSSION. */
  number: ['[data-testid="issue-header"] [class*="issueNumberText"]', '#partial-discussion-header .gh-header-number'],
  /** The React view's state label ("Open", "Closed"); its text is read when no icon says. issue-react.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE. */
  reactState: '[data-testid="header-state"]',
  /** Closed, merged and answered marks in a conversation's header. issue-classic.html (closed), pull.html (merged), discussion.html (answered); GH_PULL, GH_DISCUSSION. */
  headerDone: [
    '[data-testid="header-state"] .octicon-issue-closed, [data-testid="header-state"] .octicon-skip, [data-testid="header-state"] .octicon-git-merge',
    '#partial-discussion-header .State--closed, #partial-discussion-header .State--merged, #partial-discussion-header [title="Answered"]',
  ],
  /** Open and unanswered marks in a conversation's header (the React label has its icon only when logged in: the `thread` hook reads its text too). issue-react.html; GH_ISSUE. */
  headerOpen: ['[data-testid="header-state"] .octicon-issue-opened, #partial-discussion-header .State--open, #partial-discussion-header [title="Unanswered"]'],
  /** Where the claim bar goes: after the header. issue-react.html, issue-classic.html, pull.html, discussion.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE, GH_PULL, GH_DISCUSSION. */
  headerEnd: ['[data-testid="issue-header"]', '#partial-discussion-header .gh-header-show'],
  /** A discussion's category link. discussion.html; GH_DISCUSSION. */
  discussionCategory: '#partial-discussion-header a[href*="/discussions/categories/"]',
  /** When the conversation was opened. issue-react.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE. */
  openedAt: ['[data-testid="issue-body-header-link"] relative-time'],

  // ── Posts: the opening post, comments, answers, replies, reviews ──────────────────────
  /** Every post: React issue body and comments; classic comment groups (`issue-`, `issuecomment-`, `pullrequestreview-`); Discussions' question, answers and replies (replies nest inside answers). issue-react.html, issue-classic.html, pull.html, discussion.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE, GH_PULL, GH_DISCUSSION. */
  post:
    '.react-issue-body, .react-issue-comment, .timeline-comment-group[id^="issue-"], .timeline-comment-group[id^="issuecomment-"], .timeline-comment-group[id^="pullrequestreview-"], .discussions-timeline-scroll-target[id^="discussion-"], .discussions-timeline-scroll-target[id^="discussioncomment-"]',
  /** The React comment header, whose id is the comment's permanent anchor (`issuecomment-…`). issue-react.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE. */
  reactCommentHeader: '[data-testid="comment-header"][id^="issuecomment-"]',
  /** The React body's date link, ending in `#issue-<id>`. issue-react.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE. */
  reactBodyLink: '[data-testid="issue-body-header-link"]',
  /** Author of the React body. issue-react.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE. */
  reactBodyAuthor: '[data-testid="issue-body-header-author"]',
  /** Author of a React comment. issue-react.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE. */
  reactCommentAuthor: 'a[data-testid="avatar-link"]',
  /** Author in the classic timeline and Discussions. issue-classic.html, pull.html, discussion.html; GH_PULL, GH_DISCUSSION. */
  classicAuthor: 'a.author',
  /** Post text, written by people: never read for chrome. issue-react.html, issue-classic.html, pull.html, discussion.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE, GH_PULL. */
  body: '.markdown-body',
  /** The marked answer of a discussion. discussion.html; GH_DISCUSSION. */
  chosenAnswer: '.timeline-chosen-answer',
  /** Where a post's "this helped" goes: the React header's actions, the classic header's actions. issue-react.html, issue-classic.html, pull.html, discussion.html, real/gh-issue-kepano-defuddle-56; GH_ISSUE, GH_PULL, GH_DISCUSSION. */
  postActions: ['[data-testid="comment-header-right-side-items"]', '[class*="IssueBodyHeader-module__actionsWrapper"]', '.timeline-comment-actions'],

  // ── Lists: issues (React), pull requests and discussions (classic) ─────────────────────
  /** A row of a list. issues-react.html, pulls.html, discussions.html, real/github-issues-list-anthropics-claude-code-2025-09; GH_ISSUES, GH_PULLS, GH_DISCUSSIONS. */
  row: ['[data-listview-component="items-list"] li[role="listitem"]', '.js-navigation-container .js-navigation-item'],
  /** A row's link to its conversation. issues-react.html, pulls.html, discussions.html, real/github-issues-list-anthropics-claude-code-2025-09; GH_ISSUES, GH_PULLS, GH_DISCUSSIONS. */
  rowLink: ['a[data-testid="issue-pr-title-link"]', 'a.js-navigation-open[href*="/pull/"]', 'a.js-navigation-open[href*="/issues/"]', 'a.js-navigation-open[href*="/discussions/"]'],
  /** A row's comment count ("2 comments"). issues-react.html, pulls.html, discussions.html, real/github-issues-list-anthropics-claude-code-2025-09; GH_ISSUES, GH_PULLS. */
  rowComments: ['[data-testid="list-row-comments"]', 'a[aria-label$=" comments"]', 'a[aria-label$=" comment"]'],
  /** A row that is closed, merged or answered (the row's own state icon, never a linked pull request's). issues-react.html, pulls.html, discussions.html; GH_PULLS, GH_DISCUSSIONS. */
  rowDone: '[data-testid="list-row-state-icon"] .octicon-issue-closed, [data-testid="list-row-state-icon"] .octicon-skip, [data-testid="list-row-state-icon"] .octicon-git-merge, [data-testid="list-row-state-icon"] .octicon-git-pull-request-closed, [aria-label="Closed issue"], [aria-label="Closed pull request"], [aria-label="Merged pull request"], [aria-label="Answered"]',
  /** A row that is open or unanswered. issues-react.html, pulls.html, discussions.html, real/github-issues-list-anthropics-claude-code-2025-09; GH_ISSUES, GH_PULLS. */
  rowOpen: '[data-testid="list-row-state-icon"] .octicon-issue-opened, [data-testid="list-row-state-icon"] .octicon-git-pull-request, [aria-label="Open issue"], [aria-label="Open pull request"], [aria-label="Draft pull request"], [aria-label="Unanswered"]',
  /** Who opened a row's conversation. issues-react.html, pulls.html, discussions.html, real/github-issues-list-anthropics-claude-code-2025-09; GH_ISSUES, GH_PULLS. */
  rowAuthor: ['[data-testid="created-at"] a[data-hovercard-url^="/users/"]', '.opened-by a[data-hovercard-type="user"]'],
  /** A discussion row's category. discussions.html; GH_DISCUSSIONS. */
  rowCategory: 'a[href*="/discussions/categories/"]',
  /** Where a row's chip goes: its meta line. issues-react.html, pulls.html, discussions.html, real/github-issues-list-anthropics-claude-code-2025-09; GH_ISSUES, GH_PULLS, GH_DISCUSSIONS. */
  rowMeta: ['[data-testid="list-row-repo-name-and-number"]', '.opened-by'],
} as const;
