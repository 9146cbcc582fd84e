/**
 * Every CSS selector the Stack Exchange adapter relies on, in one place. Stack Overflow and
 * every network site share one set of templates, so one table reads them all. Lists are
 * fallbacks tried in order (today's Stacks markup first, then older pages').
 *
 * Each entry names the fixtures it is checked against (tests/fixtures/stackexchange/… are the
 * project's own pages, written after the network's public markup; `real/…` are saved pages
 * among the real fixtures, tests/helpers/real-fixtures.ts) and a public page that shows the
 * same markup. The public URLs were not fetched live when these were written; the fixtures were.
 */

const SO_QUESTION = 'https://stackoverflow.com/questions/2003505/how-do-i-delete-a-git-branch-locally-and-remotely';
const SE_QUESTION = 'https://puzzling.stackexchange.com/questions/126764/which-duplo-digit-is-6-or-9';
const SO_QUESTIONS = 'https://stackoverflow.com/questions';
const SO_HOME = 'https://stackoverflow.com/';

/** Public pages to re-check the selectors on (see each entry). */
export const STACKEXCHANGE_EXAMPLE_URLS = [SO_QUESTION, SE_QUESTION, SO_QUESTIONS, SO_HOME] as const;

/** The Stack Exchange selectors, by what they find. */
export const SE = {
  // ── Viewer ────────────────────────────────────────────────────────────────────────────
  /** The signed-in user's profile link in the top bar (`/users/<id>/<name>`). question.html, questions.html; SO_QUESTIONS (logged in). */
  viewerProfile: ['.s-topbar a.s-user-card[href*="/users/"]', '.s-topbar a.my-profile[href*="/users/"]', '.topbar a.profile-me[href*="/users/"]'],

  // ── Question page ─────────────────────────────────────────────────────────────────────
  /** The question, with its id. question.html, real/so-question-2003505-accepted, real/so-question-1196322-no-accepted, real/so-question-1077347-hello-world-python, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  question: '#question[data-questionid]',
  /** The title link (`/questions/<id>/<slug>`). question.html, real/so-question-2003505-accepted, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  titleLink: ['#question-header h1 a[href*="/questions/"]', '#question-header h1'],
  /** How many answers the question has (`data-answercount`), on the page or not. question.html, real/so-question-2003505-accepted, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  answerCount: '#answers-header [data-answercount]',
  /** The accepted answer. question.html, real/so-question-2003505-accepted, real/so-question-1077347-hello-world-python, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  accepted: ['.answer.accepted-answer', '[itemprop="acceptedAnswer"]'],
  /** When the question was asked (`title`, "2010-01-05 01:12:15Z"). question.html, real/so-question-2003505-accepted, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  askedAt: '#question .post-signature.owner .relativetime[title]',
  /** The question's tags. question.html, real/so-question-2003505-accepted, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  questionTags: '#question .post-tag',
  /** The question and each answer on the page. question.html, real/so-question-2003505-accepted, real/so-question-1196322-no-accepted, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  post: '.question[data-questionid], .answer[data-answerid]',
  /** A post's owner (the signature marked as its author, not its last editor's). question.html, real/so-question-2003505-accepted, real/so-question-1077347-hello-world-python, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  postOwner: ['.post-signature [itemprop="author"] a[href*="/users/"]', '.post-signature.owner .user-details a[href*="/users/"]'],
  /** A post's text, written by people: never read for chrome. question.html, real/so-question-2003505-accepted, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  postBody: ['.s-prose', '.post-text', '.js-post-body'],
  /** Where a post's "this helped" goes: its menu (Share, Edit, Follow). question.html, real/so-question-2003505-accepted, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  postMenu: ['.js-post-menu', '.post-menu'],
  /** Where the claim bar goes: after the question's header. question.html, real/so-question-2003505-accepted, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  questionHeader: '#question-header',
  /** What holds the question's header and the posts: the claim bar's element. question.html, real/so-question-2003505-accepted, real/puzzling-126764-accepted-answer; SO_QUESTION, SE_QUESTION. */
  content: '#content',

  // ── Question lists ────────────────────────────────────────────────────────────────────
  /** A row: today's `s-post-summary`, the older `question-summary`. questions.html, real/so-homepage-question-list-2014; SO_QUESTIONS, SO_HOME. */
  row: ['.s-post-summary[data-post-id]', '.question-summary[id^="question-summary-"]'],
  /** A row's link to its question. questions.html, real/so-homepage-question-list-2014; SO_QUESTIONS, SO_HOME. */
  rowLink: ['.s-post-summary--content-title a[href*="/questions/"]', 'a.question-hyperlink'],
  /** A row's answer count. questions.html, real/so-homepage-question-list-2014; SO_QUESTIONS, SO_HOME. */
  rowAnswers: ['.s-post-summary--stats-item:nth-child(2) .s-post-summary--stats-item-number', '.status .mini-counts'],
  /** A row whose question has an accepted answer. questions.html, real/so-homepage-question-list-2014; SO_QUESTIONS, SO_HOME. */
  rowAccepted: '.has-accepted-answer, .status.answered-accepted',
  /** A row's stats, shown on every row: no accepted mark there means not answered. questions.html, real/so-homepage-question-list-2014; SO_QUESTIONS, SO_HOME. */
  rowStats: '.s-post-summary--stats, .status',
  /** Who asked. questions.html, real/so-homepage-question-list-2014; SO_QUESTIONS, SO_HOME. */
  rowAuthor: ['.s-user-card--link a[href*="/users/"]', '.started a[href*="/users/"]'],
  /** A row's tags. questions.html, real/so-homepage-question-list-2014; SO_QUESTIONS, SO_HOME. */
  rowTags: '.post-tag',
  /** Where a row's chip goes: after the title. questions.html, real/so-homepage-question-list-2014; SO_QUESTIONS, SO_HOME. */
  rowTitle: ['.s-post-summary--content-title', '.summary h3'],
} as const;
