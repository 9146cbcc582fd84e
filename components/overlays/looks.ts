/**
 * How overlays look on each built-in platform, as data: values for the variables the overlay
 * sheet (`styles.ts`) reads, chosen by the host's `data-platform` and `data-theme`. Each
 * platform's content script adds only its own look, so the others' weigh nothing there. The
 * values follow each site's own buttons and boxes (sizes, radius, font, light and dark), so
 * Tend's controls sit in the page like the site's own; the page's CSS still never reaches them.
 */

/** GitHub (Primer): small buttons 28px high, 6px corners, 12px system text, GitHub's light and dark colours. */
export const GITHUB_LOOK = `
:host([data-platform="github"]) { --font: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  --size: 12px; --line: 20px; --btn-h: 28px; --btn-pad: 3px 12px; --btn-radius: 6px; --btn-weight: 500; --box-radius: 6px; --pop-radius: 12px; --chip-radius: 2em;
  --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --btn-bg: #f6f8fa; --border: #d1d9e0; --accent: #1f883d; --accent-fg: #ffffff; --accent-text: #1a7f37; --soft: #dafbe1;
  --danger: #d1242f; --shadow: 0 8px 24px rgba(66, 74, 83, .12), 0 1px 3px rgba(31, 35, 40, .12); }
:host([data-platform="github"][data-theme="dark"]) { --fg: #f0f6fc; --muted: #9198a1; --bg: #151b23; --btn-bg: #212830; --border: #3d444d;
  --accent: #238636; --accent-fg: #ffffff; --accent-text: #3fb950; --soft: #0f2e1c; --danger: #f85149; --shadow: 0 8px 24px rgba(1, 4, 9, .85); }
`;

/** Stack Exchange (Stacks): 13px text, 5px corners, outlined buttons, the network's blue, and its dark theme. */
export const STACKEXCHANGE_LOOK = `
:host([data-platform="stackexchange"]) { --font: -apple-system, BlinkMacSystemFont, "Segoe UI Adjusted", "Segoe UI", "Liberation Sans", sans-serif;
  --size: 13px; --line: 1.15; --btn-h: 28px; --btn-pad: 4px 9px; --btn-radius: 5px; --btn-weight: 400; --box-radius: 5px; --pop-radius: 7px; --chip-radius: 4px;
  --fg: #3b4045; --muted: #6a737c; --bg: #ffffff; --btn-bg: #ffffff; --border: #9fa6ad; --accent: #0074cc; --accent-fg: #ffffff; --accent-text: #0063bf; --soft: #e1ecf4;
  --danger: #de4f54; --shadow: 0 1px 3px rgba(0, 0, 0, .06), 0 2px 6px rgba(0, 0, 0, .06), 0 3px 8px rgba(0, 0, 0, .09); }
:host([data-platform="stackexchange"][data-theme="dark"]) { --fg: #f2f2f3; --muted: #acb2b8; --bg: #2d2d2d; --btn-bg: #2d2d2d; --border: #6a737c;
  --accent: #0a6ad4; --accent-fg: #ffffff; --accent-text: #4ca3ff; --soft: #2c3c4d; --danger: #ff8187; --shadow: 0 2px 8px rgba(0, 0, 0, .5); }
`;

/** Reddit: pill buttons without borders, 24px high so a comment's header line keeps its height, 12px semi-bold text, Reddit's neutral greys and blue, light and dark. */
export const REDDIT_LOOK = `
:host([data-platform="reddit"]) { --font: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  --size: 12px; --line: 16px; --btn-h: 24px; --btn-pad: 0 10px; --btn-radius: 999px; --btn-weight: 600; --box-radius: 16px; --pop-radius: 16px; --chip-radius: 999px;
  --fg: #0f1a1c; --muted: #5c6c74; --bg: #ffffff; --btn-bg: #e5ebee; --border: #e5ebee; --accent: #0a449b; --accent-fg: #ffffff; --accent-text: #0a449b; --soft: #d7e4f8;
  --danger: #d93900; --shadow: 0 4px 16px rgba(0, 0, 0, .16); }
:host([data-platform="reddit"][data-theme="dark"]) { --fg: #eef1f3; --muted: #a7b8c1; --bg: #181c1f; --btn-bg: #2a3236; --border: #2a3236;
  --accent: #648efc; --accent-fg: #0e1113; --accent-text: #648efc; --soft: #1f2c44; --danger: #ff6b3d; --shadow: 0 4px 16px rgba(0, 0, 0, .6); }
`;

/** Old Reddit: small verdana text and square little buttons, as its taglines and link buttons are. */
export const OLD_REDDIT_LOOK = `
:host([data-platform="reddit"][data-host="old.reddit.com"]) { --font: verdana, arial, helvetica, sans-serif; --size: 10px; --line: 14px;
  --btn-h: 18px; --btn-pad: 0 6px; --btn-radius: 3px; --btn-weight: 700; --box-radius: 4px; --pop-radius: 4px; --chip-radius: 3px;
  --fg: #222222; --muted: #6b6b6b; --bg: #ffffff; --btn-bg: #f5f5f5; --border: #c5c1ad; --accent: #336699; --accent-fg: #ffffff; --accent-text: #336699; --soft: #eff7ff; }
`;
