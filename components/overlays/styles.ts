/**
 * Overlay styles, one sheet shared by every shadow root (and, for the endorse panel, by the
 * framed page that shows it). Sizes are in px so a page's unusual root font size (62.5% tricks,
 * huge accessibility sizes on `html`) cannot shrink or blow up the controls; colours follow
 * the page's theme through `data-theme` on the host. Every value a site's look may change is a
 * variable set here on the host (`looks.ts` sets them per platform), so a page's own variables
 * of the same names never reach inside.
 */

/**
 * The same sheet (and looks) for the framed endorse panel's own document: its root takes the
 * host's place, carrying the same `data-platform`, `data-host` and `data-theme`.
 */
export function panelPageCss(sheet: string): string {
  const rooted = sheet.replace(/:host\(([^)]*)\)/g, ':root$1').replace(/:host\b/g, ':root');
  return `${rooted}
:root { display: block; margin: 0; background: transparent; }
html, body { margin: 0; padding: 0; background: transparent; }
/* Extension pages start at 75%: the panel speaks at the overlays' size. */
body { font: var(--size)/var(--line) var(--font); color: var(--fg); }
.tend-pop { position: relative !important; top: auto !important; left: auto !important; width: auto !important; max-width: none !important;
  box-shadow: none !important; }
`;
}

// The `min-height` of each kind of host holds an overlay's place before its controls render
// (they render only near the window). Comments kept out of the sheet are not shipped with it.
export const OVERLAY_CSS = `
:host { all: initial; display: inline-block; vertical-align: middle; margin: 2px 4px;
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; --size: 13px; --line: 1.35;
  --btn-h: 28px; --btn-pad: 3px 10px; --btn-radius: 999px; --btn-weight: 500; --box-radius: 10px; --pop-radius: 10px; --chip-radius: 999px;
  --fg: #1f2328; --muted: #57606a; --bg: #ffffff; --btn-bg: var(--bg); --border: #c8d1da; --accent: #0b6b5e; --accent-fg: #ffffff; --accent-text: var(--accent);
  --soft: #e3f2ef; --danger: #b42318; --shadow: 0 6px 24px rgba(15, 23, 42, .18);
  font: var(--size)/var(--line) var(--font); color: var(--fg); color-scheme: light; }
:host([data-theme="dark"]) { --fg: #e6edf3; --muted: #9da7b3; --bg: #161b22; --border: #3d444d; --accent: #4fd1bd;
  --accent-fg: #062621; --soft: #0f2f2a; --danger: #ff8a80; --shadow: 0 6px 24px rgba(0, 0, 0, .55); --btn-bg: var(--bg); color-scheme: dark; }
:host([data-tend-kind="thread"]) { display: block; margin: 8px 0; }
:host([data-tend-kind="post"]) { min-height: var(--btn-h); }
:host([data-tend-kind="thread"]) { min-height: calc(var(--btn-h) + 18px); }
:host([data-tend-kind="thread-row"]) { min-height: 20px; }

*, *::before, *::after { box-sizing: border-box; }
.tend-wrap { display: inline-flex; vertical-align: top; align-items: center; gap: 6px; }
/* Positioned only while its popover is open: a positioned box per post would give the page
   a thousand paint layers to walk every frame. */
.tend-wrap.is-open { position: relative; }
.tend-btn { all: unset; box-sizing: border-box; display: inline-flex; align-items: center; gap: 5px; min-height: var(--btn-h);
  padding: var(--btn-pad); border: 1px solid var(--border); border-radius: var(--btn-radius); background: var(--btn-bg); color: var(--fg);
  font: inherit; font-weight: var(--btn-weight); cursor: pointer; white-space: nowrap; }
.tend-btn:hover:not(:disabled) { border-color: var(--accent); }
.tend-btn:focus-visible, .tend-close:focus-visible, textarea:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.tend-btn:disabled { opacity: .55; cursor: default; }
.tend-btn.is-on { background: var(--soft); border-color: var(--accent); color: var(--fg); }
.tend-btn.is-primary { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); }
.tend-icon { font-size: 14px; color: var(--accent-text); }
.tend-btn.is-primary .tend-icon { color: inherit; }
.tend-count { min-width: 18px; padding: 0 5px; border-radius: 9px; background: var(--accent); color: var(--accent-fg);
  font-size: 12px; font-weight: 600; text-align: center; }
.tend-panel { position: fixed; inset: auto; margin: 0; padding: 0; border: 0; border-radius: var(--pop-radius); background: var(--bg); overflow: hidden;
  box-shadow: var(--shadow); }
.tend-panel iframe { display: block; width: 100%; height: 160px; border: 0; color-scheme: normal; }
.tend-secret { display: inline-block; vertical-align: middle; }
.tend-pop { position: absolute; z-index: 2147483600; top: calc(100% + 6px); left: 0; width: 300px; max-width: 90vw;
  padding: 12px 14px; border: 1px solid var(--border); border-radius: var(--pop-radius); background: var(--bg); color: var(--fg);
  box-shadow: var(--shadow); text-align: left; white-space: normal; }
.tend-pop.is-end { left: auto; right: 0; }
.tend-pop-title { margin: 0 24px 6px 0; font-weight: 600; }
.tend-list { margin: 0 0 10px; padding: 0; list-style: none; max-height: 180px; overflow: auto; }
.tend-list li { padding: 4px 0; border-bottom: 1px solid var(--border); overflow-wrap: anywhere; }
.tend-list li:last-child { border-bottom: 0; }
.tend-note { display: block; margin-top: 2px; color: var(--muted); font-style: italic; }
.tend-form { display: flex; flex-direction: column; gap: 6px; }
.tend-form label { font-weight: 500; }
textarea { width: 100%; min-height: 52px; padding: 6px 8px; border: 1px solid var(--border); border-radius: min(6px, var(--box-radius)); resize: vertical;
  background: var(--bg); color: var(--fg); font: inherit; }
.tend-row { display: flex; align-items: center; justify-content: space-between; gap: 8px; flex-wrap: wrap; }
.tend-muted { color: var(--muted); font-size: 12px; }
.tend-error { display: block; margin: 6px 0 0; color: var(--danger); font-size: 12px; }
.tend-close { all: unset; position: absolute; top: 6px; right: 8px; width: 24px; height: 24px; border-radius: 6px;
  text-align: center; line-height: 24px; font-size: 18px; color: var(--muted); cursor: pointer; }
/* The bar is as tall as its buttons in every state, so a claim arriving live never moves the posts below. */
.tend-claim { display: inline-flex; vertical-align: top; max-width: 100%; min-height: calc(var(--btn-h) + 18px); align-items: center; flex-wrap: wrap; gap: 8px; padding: 8px 10px; border: 1px solid var(--border);
  border-radius: var(--box-radius); background: var(--bg); color: var(--fg); }
.tend-brand { font-weight: 700; color: var(--accent-text); letter-spacing: .02em; }
.tend-status { font-weight: 500; }
.tend-status.is-mine { color: var(--fg); }
.tend-status.is-done { color: var(--accent-text); }
.tend-chip { display: inline-block; padding: 1px 8px; border-radius: var(--chip-radius); border: 1px solid var(--border); font-size: min(12px, var(--size));
  font-weight: 500; white-space: nowrap; background: var(--bg); color: var(--muted); }
.tend-chip.is-claimed { border-color: var(--accent); color: var(--fg); background: var(--soft); }
.tend-chip.is-resolved, .tend-chip.is-answered { color: var(--accent-text); border-color: var(--accent); }
.tend-confirm { box-sizing: border-box; padding: 14px 16px; border: 2px solid var(--accent); border-radius: var(--pop-radius); background: var(--bg); color: var(--fg);
  box-shadow: var(--shadow); font: var(--size)/1.4 var(--font); }
.tend-confirm p { margin: 0 0 8px; }
.tend-confirm-title { font-weight: 700; }
.tend-confirm .tend-row { justify-content: flex-end; margin-top: 10px; }
@media (prefers-reduced-motion: no-preference) { .tend-btn { transition: border-color .15s, background .15s; } }
`;
