/**
 * Strings for components. Components make no `browser.*` calls, so the entrypoint provides
 * a translator (the browser's i18n, from `_locales`) through this context.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** Looks up a message of `_locales/en/messages.json` by key, with `$1`… substitutions. */
export type Translate = (key: string, ...substitutions: (string | number)[]) => string;

/** The translator in use; the default echoes keys, which tests can assert on. */
export const I18n = createContext<Translate>((key, ...subs) => (subs.length ? `${key}(${subs.join(',')})` : key));

/** The current translator. */
export const useT = (): Translate => useContext(I18n);
