/**
 * Short text the host page must not read — a teammate's name, a refusal that names someone —
 * drawn on a canvas instead of written into the page. A closed shadow root keeps scripts from
 * its elements, but not `window.find`, selections or copying from text nodes; a canvas has no
 * text nodes, and the page has no handle on it to read its pixels. Screen readers get the text
 * from its label, inside the same closed root.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';

export interface SecretTextProps {
  text: string;
  class?: string;
  /** Bold, as a name in a sentence. */
  strong?: boolean;
}

export function SecretText({ text, class: className, strong }: SecretTextProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const draw = () => {
      const style = getComputedStyle(c);
      const ctx = c.getContext('2d');
      if (!ctx) return;
      const font = `${strong ? 600 : style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      ctx.font = font;
      const ratio = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
      const size = Number.parseFloat(style.fontSize) || 13;
      const width = Math.ceil(ctx.measureText(text).width) + 1;
      const height = Math.ceil(size * 1.35);
      c.width = width * ratio;
      c.height = height * ratio;
      c.style.width = `${width}px`;
      c.style.height = `${height}px`;
      ctx.scale(ratio, ratio);
      ctx.font = font;
      ctx.fillStyle = style.color;
      ctx.textBaseline = 'middle';
      ctx.fillText(text, 0, height / 2 + 0.5);
    };
    draw();
    // Colours follow the page's theme, which the host's attribute switches.
    const host = (c.getRootNode() as ShadowRoot).host;
    const watch = host ? new MutationObserver(draw) : null;
    watch?.observe(host!, { attributes: true, attributeFilter: ['data-theme'] });
    return () => watch?.disconnect();
  }, [text, strong]);
  return <canvas ref={canvas} class={className ? `tend-secret ${className}` : 'tend-secret'} role="img" aria-label={text} />;
}

/**
 * Stands for the secret part of a translated sentence (see `SecretSentence`): a private-use
 * character, which the browsers' message substitution passes through (Chrome drops NUL).
 */
export const SECRET_MARK = '\uE000';

/**
 * A translated sentence with one secret part: the message is asked for with `SECRET_MARK`
 * where the secret goes, so word order stays the translation's.
 */
export function SecretSentence({ sentence, secret, class: className }: { sentence: string; secret: string; class?: string }) {
  const at = sentence.indexOf(SECRET_MARK);
  if (at < 0) return <span class={className}>{sentence}</span>;
  return (
    <span class={className}>
      {sentence.slice(0, at)}
      <SecretText text={secret} strong />
      {sentence.slice(at + SECRET_MARK.length)}
    </span>
  );
}
