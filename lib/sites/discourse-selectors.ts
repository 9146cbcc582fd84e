/**
 * Every CSS selector the Discourse adapter relies on, in one place, so a markup change in
 * Discourse is a change here. Lists are fallbacks tried in order.
 *
 * Each entry names the fixture it is checked against (tests/fixtures/discourse/… are the
 * project's own pages written after current Discourse markup; `real/…` is the saved
 * meta.discourse.org server response among the real saved pages, tests/helpers/real-fixtures.ts) and a public page that
 * shows the same markup, for re-checking when Discourse changes. The public URLs were not
 * fetched live when these were written; the fixtures were.
 */

const META_TOPIC = 'https://meta.discourse.org/t/discourse-solved/30155';
const META_LATEST = 'https://meta.discourse.org/latest';
const META_CATEGORY = 'https://meta.discourse.org/c/support/6';
const META_2020 = 'https://meta.discourse.org/t/congratulations-most-stars-in-2013-github-octoverse/12483';

/** Public pages to re-check the selectors on (see each entry). */
export const DISCOURSE_EXAMPLE_URLS = [META_TOPIC, META_LATEST, META_CATEGORY, META_2020] as const;

/** The Discourse selectors, by what they find. */
export const SEL = {
  // ── Whole page ────────────────────────────────────────────────────────────────────────
  /** Discourse stamps every page with its generator. topic.html, topic-crawler.html, latest.html, latest-crawler.html, category.html, real/…12483…; META_LATEST. */
  generator: 'meta[name="generator"][content^="Discourse"]',
  /** Setup meta carrying the base path of subfolder installs (`data-base-uri`). topic.html, real/…12483…; META_LATEST. */
  setup: '#data-discourse-setup',
  /** Preloaded store JSON (`data-preloaded`): currentUser, topic_<id>. topic.html, real/…12483…; META_TOPIC. */
  preloaded: '#data-preloaded',
  /** Canonical link `/t/<slug>/<id>`. topic-crawler.html, real/…12483…; META_2020. */
  canonical: 'link[rel="canonical"]',
  /** Where Ember renders routes; observing it catches soft navigation. topic.html, latest.html; META_LATEST. */
  mainOutlet: '#main-outlet',
  /** Crawler content served inside <noscript> to browsers (text when scripting is on). topic.html, latest.html, real/…12483…; META_2020. */
  noscript: 'noscript',

  // ── Viewer ────────────────────────────────────────────────────────────────────────────
  /** No fixture, no public page: a username meta some themes add; not in current core, kept as a harmless fallback (hostile tests cover it). */
  currentUsernameMeta: 'meta[name="discourse_current_username"]',
  /** Header user-menu button: `#current-user button[href="/u/<name>"]`. latest.html; META_LATEST (logged in). */
  currentUserLink: ['#current-user [href*="/u/"]', '#current-user a[data-user-card]'],
  /** Header avatar `/user_avatar/<host>/<name_lower>/<size>/…`. latest.html; META_LATEST (logged in). */
  currentUserAvatar: '#current-user img[src*="/user_avatar/"]',

  // ── Topic page, rendered (Ember) ──────────────────────────────────────────────────────
  /** The topic container with its id. topic.html; META_TOPIC. */
  topic: '#topic[data-topic-id]',
  /** Title block above the post stream (title, category, tags, status). topic.html, topic-crawler.html; META_TOPIC. */
  topicTitleArea: '#topic-title',
  /** Title text. topic.html (fancy-title), topic-crawler.html + real/…12483… (h1 / h1.crawler-topic-title); META_TOPIC, META_2020. */
  topicTitleText: ['#topic-title h1 .fancy-title', '#topic-title .fancy-title', '#topic-title h1', 'h1.crawler-topic-title'],
  /** The title heading; the claim bar goes after it. topic.html; META_TOPIC. */
  topicTitleHeading: '#topic-title h1',
  /** Title links carrying `/t/<slug>/<id>`. topic.html, topic-crawler.html, real/…12483…; META_TOPIC. */
  topicTitleLink: ['#topic-title h1 a[href*="/t/"]', 'h1.crawler-topic-title a[href*="/t/"]'],
  /** Category name(s); the last one is the most specific. topic.html (badge-category__name), topic-crawler.html (category-name), real/…12483… (#breadcrumbs); META_TOPIC, META_2020. */
  topicCategory: [
    '#topic-title .badge-category__name',
    '#topic-title .category-name',
    '#topic-title [itemprop="itemListElement"] [itemprop="name"]',
    '#breadcrumbs .category-title',
    '#breadcrumbs [itemprop="name"]',
  ],
  /** Tags under the title. topic.html, topic-crawler.html; META_TOPIC. Older crawler pages: `.tags-list`. */
  topicTags: ['#topic-title .discourse-tags .discourse-tag', '.tags-list [itemprop="name"]'],
  /** Solved status next to the title. topic.html; META_TOPIC-style solved topics. */
  topicSolved: [
    '#topic-title .topic-status.--solved',
    '#topic-title .topic-status .--solved',
    '#topic-title .topic-statuses svg.d-icon-far-check-square',
    '#topic-title .topic-statuses svg.d-icon-far-square-check',
  ].join(', '),
  /** Accepted-answer markers in the post stream (discourse-solved). topic.html (post 1 aside, post 3 button); META_TOPIC-style solved topics. */
  acceptedAnswer: '.post-stream .accepted-answer, .post-stream span.accepted-text, .post-stream .post-action-menu__solved-accepted',
  /** Rendered posts: `article#post_<n>[data-post-id]`. Cloaked posts have a wrapper and no article. topic.html; META_TOPIC. */
  postArticle: 'article[id^="post_"]',
  /** Post wrapper carrying `data-post-number`. topic.html; META_TOPIC. */
  postWrapper: '.topic-post',
  /** Small-action "posts" (closed, pinned, moved…): not endorsable. topic.html; META_TOPIC. */
  smallAction: '.small-action',
  /** Author's username on a rendered post (`data-user-card` holds the username even when the full name shows first). topic.html; META_TOPIC. */
  postAuthorCard: ['.topic-meta-data .names a[data-user-card]', '.names a[data-user-card]', '.topic-avatar a[data-user-card]'],
  /** Post date with `data-time` (epoch ms). topic.html; META_TOPIC. */
  postDate: ['.post-info.post-date [data-time]', '.post-date [data-time]', '.relative-date[data-time]'],
  /** Where a post overlay goes: the post menu area, else the post contents. topic.html; META_TOPIC. */
  postAnchor: ['section.post-menu-area', '.regular.contents'],
  /** Post body: user-written HTML, never read for chrome. topic.html; META_TOPIC. */
  cooked: '.cooked',

  // ── Topic page, crawler view (no JavaScript) ──────────────────────────────────────────
  /** Crawler posts: `div#post_<n>.topic-body.crawler-post` (2023+), no id in 2020. topic-crawler.html, real/…12483…; META_2020 with JS off. */
  crawlerPost: '.crawler-post',
  /** Post number inside a crawler post ("#1" in 2020, "1" since). topic-crawler.html, real/…12483…; META_2020. */
  crawlerPosition: ['.crawler-post-meta [itemprop="position"]', '[itemprop="position"]'],
  /** Author profile link `/u/<username>`. topic-crawler.html, real/…12483…; META_2020. */
  crawlerAuthorLink: ['.creator a[href*="/u/"]', '[itemprop="author"] a[href*="/u/"]'],
  /** Author name text, when there is no profile link. topic-crawler.html, real/…12483…; META_2020. */
  crawlerAuthorName: ['[itemprop="author"] [itemprop="name"]', '.creator [itemprop="name"]'],
  /** Post date (`content` on meta, `datetime` on time). topic-crawler.html, real/…12483…; META_2020. */
  crawlerDate: ['[itemprop="datePublished"]', 'time.post-time[datetime]'],
  /** QAPage markup of an accepted answer. topic-crawler.html; META_TOPIC-style solved topics with JS off. */
  crawlerAccepted: '[itemprop="acceptedAnswer"]',
  /** Post body in the crawler view. topic-crawler.html, real/…12483…; META_2020. */
  crawlerBody: '.post[itemprop]',

  // ── Topic lists (/latest, /new, /unread, /top, /c/…, suggested topics) ───────────────
  /** Rows: rendered `tr.topic-list-item[data-topic-id]`, crawler `tr.topic-list-item` (or any body row of the list table), categories page `.latest-topic-list-item`, pre-2023 crawler `[itemprop=itemListElement]`. Rows without a topic link are dropped. latest.html, latest-crawler.html, category.html; META_LATEST, META_CATEGORY. */
  listRow: 'tr.topic-list-item, .topic-list tbody > tr, .latest-topic-list-item, .topic-list [itemprop="itemListElement"]',
  /** Rows that contain nested list items of their own (the crawler's `td[itemprop=itemListElement]`). latest-crawler.html; META_LATEST with JS off. */
  listRowContainer: 'tr.topic-list-item, .topic-list tbody > tr, .latest-topic-list-item',
  /** Title link of a row. latest.html, latest-crawler.html, category.html; META_LATEST. */
  rowTitleLink: ['a.raw-topic-link', 'a.title[href*="/t/"]', 'a[itemprop="item"][href*="/t/"]', 'a[itemprop="url"][href*="/t/"]'],
  /** Reply count of a row (rendered badge, crawler cell). latest.html, latest-crawler.html; META_LATEST. */
  rowReplies: ['.posts-map .number', '.badge-posts .number', '.badge-posts', 'td.replies .posts'],
  /** Category badge of a row (absent on a category's own page unless it has subcategories). latest.html, latest-crawler.html; META_LATEST. */
  rowCategory: ['.badge-category__name', '.category-name'],
  /** Tags of a row. latest.html, latest-crawler.html; META_LATEST. */
  rowTags: '.discourse-tags .discourse-tag',
  /** Solved rows. latest.html; META_CATEGORY (support uses discourse-solved). */
  rowSolved: [
    '.topic-status.--solved',
    '.topic-status .--solved',
    '.topic-statuses svg.d-icon-far-check-square',
    '.topic-statuses svg.d-icon-far-square-check',
  ].join(', '),
  /** Rows explicitly marked unsolved. latest.html; META_CATEGORY. */
  rowUnsolved: '.topic-status.--unsolved, .topic-status .--unsolved',
  /** Rows classed as solved. latest.html; META_CATEGORY. */
  rowSolvedMark: '.status-solved',
  /** Rows classed as unsolved. latest.html; META_CATEGORY. */
  rowUnsolvedMark: '.status-unsolved',
  /** Posters column; the original poster comes first. latest.html; META_LATEST. */
  rowPoster: 'td.posters a[data-user-card]',
  /** The category a /c/… page lists (select-kit breadcrumb with `data-name`, `data-value` = id). category.html; META_CATEGORY. */
  pageCategory: '.category-breadcrumb .category-drop-header[data-name]',
} as const;
