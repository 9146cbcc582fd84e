/** The English messages as a `Translate`, for component tests that read real strings. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Translate } from '../../components/i18n';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/_locales/en/messages.json');

/** `_locales/en/messages.json`, parsed. */
export const MESSAGES = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;

/** Substitutes `$1`… (and named placeholders) the way browsers do; a missing key throws. */
export const englishT: Translate = (key, ...subs) => {
  // The browser's own message for the language of the strings.
  if (key === '@@ui_locale') return 'en';
  const entry = MESSAGES[key];
  if (!entry) throw new Error(`no message ${key}`);
  let text = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (_, name: string) => entry.placeholders?.[name.toLowerCase()]?.content ?? '');
  text = text.replace(/\$(\d)/g, (_, n: string) => String(subs[Number(n) - 1] ?? ''));
  return text.replace(/\$\$/g, '$');
};
