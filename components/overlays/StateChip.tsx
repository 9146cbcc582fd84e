/** A thread's state on a topic-list row: unclaimed, claimed by someone, done, answered. */
import { useT } from '../i18n';

export interface StateChipProps {
  state: 'unclaimed' | 'claimed' | 'resolved' | 'answered' | 'unknown';
  holderName?: string | null;
  mine?: boolean;
}

export function StateChip({ state, holderName, mine }: StateChipProps) {
  const t = useT();
  const text =
    state === 'claimed'
      ? mine
        ? t('ov_claimedByYou')
        : t('ov_claimedBy', holderName ?? '')
      : state === 'resolved'
        ? t('ov_resolved')
        : state === 'answered'
          ? t('ov_answered')
          : t('ov_unclaimed');
  return (
    <span class={`tend-chip is-${state}`} title={`Tend: ${text}`}>
      {text}
    </span>
  );
}
