/**
 * Every CSS selector the Reddit adapter relies on, in one place. Reddit serves three
 * front-ends at once, all one community: today's `shreddit-*` custom elements, old Reddit
 * (old.reddit.com), and the 2019–2022 React redesign. Lists are fallbacks tried in that order.
 *
 * Each entry names the fixtures it is checked against (tests/fixtures/reddit/… are the
 * project's own pages, written after Reddit's public markup; `real/…` are saved pages among
 * the real fixtures, tests/helpers/real-fixtures.ts) and a public page that shows the same
 * markup. The public URLs were not fetched live when these were written; the fixtures were.
 */

const RD_THREAD = 'https://www.reddit.com/r/programming/comments/1nq6g8p/postgresql_18_released/';
const RD_SUBREDDIT = 'https://www.reddit.com/r/programming/';
const OLD_THREAD = 'https://old.reddit.com/r/programming/comments/1nq6g8p/postgresql_18_released/';
const OLD_SUBREDDIT = 'https://old.reddit.com/r/programming/';
const NEW_2022_THREAD = 'https://www.reddit.com/r/AskReddit/comments/axtih6/what_is_the_most_worth_it_item_you_have_ever/';
const NEW_2022_SUBREDDIT = 'https://new.reddit.com/r/AskReddit/';

/** Public pages to re-check the selectors on (see each entry). */
export const REDDIT_EXAMPLE_URLS = [RD_THREAD, RD_SUBREDDIT, OLD_THREAD, OLD_SUBREDDIT, NEW_2022_THREAD, NEW_2022_SUBREDDIT] as const;

/** The Reddit selectors, by what they find. */
export const RD = {
  // ── Thread pages ──────────────────────────────────────────────────────────────────────
  /** The post a thread page is about: `shreddit-post` on a comments page, old Reddit's link thing on a comments page, the redesign's post container. thread-shreddit.html, thread-old.html, thread-2022.html, real/shreddit-thread-r-programming-1nq6g8p-2025-10, real/shreddit-thread-BoomersBeingFools-1cq6hci, real/new-reddit-2022-askreddit-axtih6; RD_THREAD, OLD_THREAD, NEW_2022_THREAD. */
  threadPost: ['shreddit-post[view-context="CommentsPage"]', 'body.comments-page .thing.link[data-fullname^="t3_"]', '[data-testid="post-container"][id^="t3_"]'],
  /** The title: the redesign's heading and old Reddit's title link (shreddit keeps it in `post-title`). thread-old.html, thread-2022.html, real/new-reddit-2022-askreddit-axtih6; OLD_THREAD, NEW_2022_THREAD. */
  threadTitle: ['body.comments-page .thing.link a.title', '[data-testid="post-container"] h1'],
  /** Comment count of a thread page's post (`totalcomments`). thread-shreddit.html, real/shreddit-thread-r-programming-1nq6g8p-2025-10, real/shreddit-thread-BoomersBeingFools-1cq6hci; RD_THREAD. */
  commentTree: 'shreddit-comment-tree[totalcomments]',
  /** The redesign's comment-count link of a post ("25.4k comments"), on its thread page and in listings. thread-2022.html, listing-2022.html, real/new-reddit-2022-askreddit-axtih6; NEW_2022_THREAD, NEW_2022_SUBREDDIT. */
  commentsLink: 'a[data-click-id="comments"]',
  /** Where the claim bar goes: above the comments. thread-shreddit.html, thread-old.html, thread-2022.html, real/shreddit-thread-r-programming-1nq6g8p-2025-10; RD_THREAD, OLD_THREAD, NEW_2022_THREAD. */
  commentsStart: ['comment-body-header', 'shreddit-comment-tree', '.commentarea', '[id^="t1_"]'],
  /** What holds the post and its comments (the claim bar's element). thread-shreddit.html, thread-old.html, thread-2022.html, real/shreddit-thread-r-programming-1nq6g8p-2025-10, real/new-reddit-2022-askreddit-axtih6; RD_THREAD, OLD_THREAD, NEW_2022_THREAD. */
  main: ['#main-content', 'body.comments-page .content[role="main"]', 'body'],
  /** The canonical address of a thread. thread-2022.html, real/shreddit-thread-r-programming-1nq6g8p-2025-10, real/new-reddit-2022-askreddit-axtih6; RD_THREAD, NEW_2022_THREAD. */
  canonical: 'link[rel="canonical"]',

  // ── Posts: the post and its comments ──────────────────────────────────────────────────
  /** The post and every comment (replies nest inside the comment they answer). thread-shreddit.html, thread-old.html, thread-2022.html, real/shreddit-thread-r-programming-1nq6g8p-2025-10, real/shreddit-thread-BoomersBeingFools-1cq6hci, real/new-reddit-2022-askreddit-axtih6; RD_THREAD, OLD_THREAD, NEW_2022_THREAD. */
  post: [
    'shreddit-post[view-context="CommentsPage"], shreddit-comment[thingid]',
    'body.comments-page .thing.link[data-fullname^="t3_"], .thing.comment[data-fullname^="t1_"]',
    '[data-testid="post-container"][id^="t3_"], .Comment',
  ],
  /** The redesign's comment author link (empty text in some saved pages). thread-2022.html; NEW_2022_THREAD. */
  commentAuthorLink: 'a[data-testid="comment_author_link"]',
  /** The redesign's comment avatar link (`/user/<name>/`). thread-2022.html, real/new-reddit-2022-askreddit-axtih6; NEW_2022_THREAD. */
  commentAuthorIcon: 'a[data-testid="comment_author_icon"]',
  /** Text people wrote: comment and post bodies on every front-end. thread-shreddit.html, thread-old.html, thread-2022.html, real/shreddit-thread-r-programming-1nq6g8p-2025-10, real/new-reddit-2022-askreddit-axtih6; RD_THREAD, OLD_THREAD, NEW_2022_THREAD. */
  body: ['[slot="comment"], [slot="text-body"]', '.usertext-body', '[data-testid="comment"], .RichTextJSON-root'],
  /** Where "this helped" goes: the header line of the post or comment (shreddit slots, old Reddit's tagline), the redesign's action row. thread-shreddit.html, thread-old.html, thread-2022.html, real/shreddit-thread-r-programming-1nq6g8p-2025-10, real/new-reddit-2022-askreddit-axtih6; RD_THREAD, OLD_THREAD, NEW_2022_THREAD. */
  postHeader: ['[slot="commentMeta"]', '[slot="credit-bar"]', '.entry .tagline', '[id$="-share-menu"]'],
  /** The page's own data in the redesign (`window.___r = {…}`), with authors the markup may not show. thread-2022.html; NEW_2022_THREAD. */
  embeddedData: 'script#data',

  // ── Subreddit listings ────────────────────────────────────────────────────────────────
  /** A post in a listing (ads are other elements, or marked promoted); the redesign's post cards (on its thread page the one card is the thread itself). listing-shreddit.html, listing-old.html, listing-2022.html, real/shreddit-subreddit-listing-r-programming-2025-10; RD_SUBREDDIT, OLD_SUBREDDIT, NEW_2022_SUBREDDIT. */
  row: ['shreddit-post:not([view-context="CommentsPage"])', 'body.listing-page #siteTable .thing.link[data-fullname^="t3_"]', '[data-testid="post-container"][id^="t3_"]'],
  /** Promoted posts in old Reddit's listings. listing-old.html; OLD_SUBREDDIT. */
  promoted: '.promoted',
  /** A row's title: shreddit's and old Reddit's title links, the redesign card's heading (its address is the comments link's). listing-shreddit.html, listing-old.html, listing-2022.html, real/shreddit-subreddit-listing-r-programming-2025-10; RD_SUBREDDIT, OLD_SUBREDDIT, NEW_2022_SUBREDDIT. */
  rowTitle: ['a[slot="title"]', 'a.title', 'h3'],
  /** Where a row's chip goes: its credit line (shreddit), its tagline (old Reddit), the redesign card's action row. listing-shreddit.html, listing-old.html, listing-2022.html, real/shreddit-subreddit-listing-r-programming-2025-10; RD_SUBREDDIT, OLD_SUBREDDIT, NEW_2022_SUBREDDIT. */
  rowHeader: ['[slot="credit-bar"]', '.tagline', '[id$="-share-menu"]'],

  // ── Viewer ────────────────────────────────────────────────────────────────────────────
  /** The signed-in user in the embedded chat app's inert template (shreddit). thread-shreddit.html, real/shreddit-thread-r-programming-1nq6g8p-2025-10; RD_THREAD (logged in). */
  chatTemplate: 'reddit-chat-host > template',
  /** The signed-in user in old Reddit's header. thread-old.html, listing-old.html; OLD_THREAD (logged in). */
  oldUser: '#header-bottom-right .user a[href*="/user/"]',
  /** The redesign's user menu (its text starts with the name when logged in). thread-2022.html, real/new-reddit-2022-askreddit-axtih6; NEW_2022_THREAD. */
  userDropdown: '#USER_DROPDOWN_ID',
} as const;
