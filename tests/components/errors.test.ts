/**
 * Every error code the background answers with has a message in every language, and a failure
 * is shown in the page's language with its detail in place.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorKey, errorText } from '../../components/errors';
import type { Translate } from '../../components/i18n';
import { ERROR_CODES, err, failureOf, serverRefusal, CodedError } from '../../lib/domain/result';
import { StoreError } from '../../lib/store';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/_locales');
type Messages = Record<string, { message: string }>;
const read = (locale: string) => JSON.parse(readFileSync(path.join(DIR, locale, 'messages.json'), 'utf8')) as Messages;

/** A translator over one locale's messages, substituting `$1`… as browsers do. */
const translator =
  (messages: Messages): Translate =>
  (key, ...subs) => {
    const entry = messages[key];
    // As the browser's: a missing message answers with its key.
    if (!entry) return key;
    return entry.message.replace(/\$(\d)/g, (_, i: string) => String(subs[Number(i) - 1] ?? '')).replace(/\$\$/g, '$');
  };

const en = read('en');
const es = read('es');
const T = { en: translator(en), es: translator(es) };

describe('error messages', () => {
  it('has a message for every code, in English and in Spanish, translated', () => {
    const keys = [...ERROR_CODES.map(errorKey), 'err_someone'];
    expect(keys.filter((k) => !en[k])).toEqual([]);
    expect(keys.filter((k) => !es[k])).toEqual([]);
    expect(keys.filter((k) => es[k]!.message === en[k]!.message)).toEqual([]);
  });

  it('has no message for a code that is not one', () => {
    const codes = new Set(ERROR_CODES.map(errorKey));
    expect(Object.keys(en).filter((k) => k.startsWith('err_') && k !== 'err_someone' && !codes.has(k))).toEqual([]);
  });

  it.each([
    ['en', err('claim-held', 'Sam claimed this first', 'Sam'), 'Sam claimed this first.'],
    ['es', err('claim-held', 'Sam claimed this first', 'Sam'), 'Sam lo reclamó primero.'],
    ['en', err('claim-not-yours', 'A teammate holds this claim, not you'), 'A teammate holds this claim, not you.'],
    ['es', err('claim-not-yours', 'A teammate holds this claim, not you'), 'Alguien del equipo tiene esta reclamación, no tú.'],
    ['en', err('own-post', 'you cannot endorse your own post'), 'You cannot thank your own post.'],
    ['es', err('own-post', 'you cannot endorse your own post'), 'No puedes agradecer tu propia publicación.'],
    ['en', err('site-not-granted', 'Tend is not allowed on forum.example.org yet', 'forum.example.org'), 'Tend is not allowed on forum.example.org yet.'],
    ['es', err('site-not-granted', 'Tend is not allowed on forum.example.org yet', 'forum.example.org'), 'Tend todavía no tiene permiso en forum.example.org.'],
    ['es', err('sync-timeout', 'the team server did not answer within 20 s', '20 s'), 'El servidor del equipo no respondió en 20 s.'],
    ['es', err('no-team', 'join a team first'), 'Primero únete a un equipo.'],
    ['es', err('not-manager', 'only a manager can change how long a claim lasts'), 'Solo un responsable del equipo puede hacer eso.'],
    // The team server's own words are not Tend's to translate: they come as it sent them.
    ['es', err('sync-refused', 'that invite code has expired', 'that invite code has expired'), 'El servidor del equipo lo rechazó: that invite code has expired'],
    ['es', err('import-invalid', 'invalid data.import: ops.2: bad', 'ops.2: bad'), 'Una parte del archivo no se pudo importar: ops.2: bad. No se importó nada de esa parte.'],
  ] as const)('%s: %j', (locale, failure, text) => {
    if (failure.ok) throw new Error('not a failure');
    expect(errorText(T[locale], failure)).toBe(text);
  });

  it('puts every code in words in both languages, with no placeholder left', () => {
    for (const code of ERROR_CODES) {
      for (const t of [T.en, T.es]) {
        const text = errorText(t, { code, error: 'english', detail: 'DETAIL' });
        expect(text, code).not.toMatch(/\$\d|err_/);
        if (/\$1/.test(en[errorKey(code)]!.message)) expect(text, code).toContain('DETAIL');
      }
    }
  });

  it('shows a reason without a known code as it came', () => {
    expect(errorText(T.es, { error: 'something odd' })).toBe('something odd');
    expect(errorText(T.es, { code: 'made-up', error: 'something odd' })).toBe('something odd');
  });

  it('words the team server’s refusals Tend knows, and shows the others as the server sent them', () => {
    expect(serverRefusal('held', 'Sam claimed this first', 'Sam')).toEqual({ error: 'Sam claimed this first', code: 'claim-held', detail: 'Sam' });
    expect(errorText(T.es, serverRefusal('held', 'Sam claimed this first', 'Sam'))).toBe('Sam lo reclamó primero.');
    expect(errorText(T.es, serverRefusal('stale-epoch', 'this claim changed since you last saw it'))).toBe('Esta reclamación cambió desde la última vez que la viste.');
    expect(errorText(T.es, serverRefusal('self-endorsement', 'you cannot endorse your own post'))).toBe('No puedes agradecer tu propia publicación.');
    const clock = 'this device’s clock is more than 60 minutes ahead: set the right time and try again';
    expect(serverRefusal('clock', clock)).toEqual({ error: clock });
    expect(errorText(T.es, serverRefusal('clock', clock))).toBe(clock);
    expect(serverRefusal('toString', 'odd')).toEqual({ error: 'odd' });
  });

  it('keeps the code and detail of what the background threw', () => {
    expect(failureOf(new StoreError('claim-held', 'Sam claimed this first', { detail: 'Sam' }))).toEqual({ ok: false, code: 'claim-held', error: 'Sam claimed this first', detail: 'Sam' });
    expect(failureOf(new CodedError('no-team', 'join a team first'))).toEqual({ ok: false, code: 'no-team', error: 'join a team first' });
    expect(failureOf(new Error('boom'))).toEqual({ ok: false, code: 'failed', error: 'boom', detail: 'boom' });
  });
});
