/**
 * Parses saved pages for adapter tests the way a browser would show them to Tend, but inert:
 * a happy-dom window with script evaluation, file loading and navigation all off, so a
 * saved page's scripts never run and nothing is fetched.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';

const open: Window[] = [];

/** A Document for `html` as served at `url`. */
export function parsePage(html: string, url: string): Document {
  const window = new Window({
    url,
    settings: {
      disableJavaScriptFileLoading: true,
      disableCSSFileLoading: true,
      disableIframePageLoading: true,
      disableComputedStyleRendering: true,
      handleDisabledFileLoadingAsSuccess: true,
      navigation: {
        disableMainFrameNavigation: true,
        disableChildFrameNavigation: true,
        disableChildPageNavigation: true,
        disableFallbackToSetURL: true,
      },
    },
  });
  open.push(window);
  const parser = new window.DOMParser();
  // happy-dom's Document implements the DOM interfaces the adapters use.
  return parser.parseFromString(withoutSvgRawText(html), 'text/html') as unknown as Document;
}

/**
 * happy-dom never leaves raw-text mode after a `<style>` or `<script>` inside `<svg>` (it
 * compares the SVG element's lower-case name with an upper-case one), so everything after such
 * an icon is lost: a saved Reddit page would end at its logo. Browsers parse them as ordinary
 * SVG children. They are presentation only, so they are dropped before parsing.
 */
export function withoutSvgRawText(html: string): string {
  if (!/<svg\b/i.test(html)) return html;
  return html.replace(/<svg\b[\s\S]*?<\/svg>/gi, (svg) => svg.replace(/<(style|script)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ''));
}

/** The project's own Discourse fixture `name` (tests/fixtures/discourse/<name>). */
export function discourseFixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/discourse/${name}`, import.meta.url)), 'utf8');
}

/** Closes every window opened by `parsePage` (call from afterAll). */
export async function closePages(): Promise<void> {
  const windows = open.splice(0);
  await Promise.all(windows.map((w) => w.happyDOM.close()));
}
