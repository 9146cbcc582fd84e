/** A thread's state on a topic-list row: unclaimed, claimed by someone, done, answered. */
import { useT } from '../i18n';
import { SECRET_MARK, SecretSentence } from './SecretText';

export interface StateChipProps {
  state: 'unclaimed' | 'claimed' | 'resolved' | 'answered' | 'unknown';
  holderName?: string | null;
  mine?: boolean;
}

export function StateChip({ state, holderName, mine }: StateChipProps) {
  const t = useT();
  if (state === 'claimed' && !mine && holderName) {
    // A teammate's name is not the page's to read.
    return <SecretSentence class={`tend-chip is-${state}`} sentence={t('ov_claimedBy', SECRET_MARK)} secret={holderName} />;
  }
  const text = state === 'claimed' ? (mine ? t('ov_claimedByYou') : t('ov_claimedBy', t('someoneOnTeam'))) : state === 'resolved' ? t('ov_resolved') : state === 'answered' ? t('ov_answered') : t('ov_unclaimed');
  return (
    <span class={`tend-chip is-${state}`} title={`Tend: ${text}`}>
      {text}
    </span>
  );
}
