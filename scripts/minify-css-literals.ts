/**
 * A build step for the overlay style sheets (`components/overlays/styles.ts`, `looks.ts`): each
 * plain template literal there (no `${…}`, no escapes) is a whole sheet, minified with
 * lightningcss at build time. Content scripts carry these sheets into every forum page and
 * must stay small; the source stays readable. A literal that does not parse as CSS is left as
 * it is.
 */
import { transform } from 'lightningcss';
import type { Plugin } from 'vite';

const FILES = /components\/overlays\/(styles|looks)\.ts$/;

export function minifyCssLiterals(): Plugin {
  return {
    name: 'tend:minify-css-literals',
    enforce: 'pre',
    transform(code, id) {
      if (!FILES.test(id.split('?')[0]!)) return null;
      const out = code.replace(/(=\s*)`([^`$\\]*)`/g, (whole, assign: string, css: string) => {
        try {
          const min = transform({ filename: 'overlay.css', code: Buffer.from(css), minify: true }).code.toString();
          return `${assign}\`${min}\``;
        } catch {
          return whole;
        }
      });
      return out === code ? null : { code: out, map: null };
    },
  };
}
