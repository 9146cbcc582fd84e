/**
 * The first-run page: what Tend is, in a few sentences, and the name teammates will see.
 * Also where the popup sends someone whose name is still empty.
 */
import type { Result } from '../../lib/domain/result';
import { useT } from '../i18n';
import { NameForm } from '../NameForm';
import { Logo } from './Logo';

/** The saved name, and how to save a new one. */
export interface WelcomeProps {
  /** The name saved so far (empty on first run); null while it loads. */
  name: string | null;
  /** Why the current name could not be read. */
  loadError: string | null;
  onSave: (name: string) => Promise<Result<{ name: string }>>;
}

/** The first-run page's view, with the name form and its validation. */
export function Welcome({ name, loadError, onSave }: WelcomeProps) {
  const t = useT();
  return (
    <main class="page welcome">
      <header class="hero">
        <Logo size={40} />
        <h1>{t('welcomeTitle')}</h1>
      </header>
      <p class="lead">{t('welcomeWhat')}</p>
      <p>{t('welcomeWhere')}</p>
      <p>{t('welcomePrivacy')}</p>
      <NameForm name={name} loadError={loadError} onSave={onSave} help={t('nameHelp')} />
    </main>
  );
}
