/**
 * Light or dark, as the page is drawn (a forum's dark theme need not follow the system).
 * Read from computed background colours — a style read, never a layout read — once per
 * pass, not inside observer callbacks.
 */
export type Theme = 'light' | 'dark';

function parseRgb(value: string): [number, number, number, number] | null {
  const m = value.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const parts = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
  if (parts.length < 3 || parts.some(Number.isNaN)) return null;
  return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
}

/** The page's theme from the first opaque background among body and html. */
export function pageTheme(doc: Document): Theme {
  const win = doc.defaultView;
  if (!win) return 'light';
  for (const el of [doc.body, doc.documentElement]) {
    if (!el) continue;
    const rgb = parseRgb(win.getComputedStyle(el).backgroundColor);
    if (rgb && rgb[3] > 0.5) {
      const [r, g, b] = rgb.map((c) => c / 255) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45 ? 'dark' : 'light';
    }
  }
  // Transparent all the way up: the canvas is white unless the page opted into dark.
  return /dark/.test(win.getComputedStyle(doc.documentElement).colorScheme ?? '') ? 'dark' : 'light';
}
