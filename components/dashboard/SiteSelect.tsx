/** A labelled choice of one site (by host) or all of them, as the dashboard's views filter. */
import { hostOf } from '../popup/format';

export interface SiteSelectProps {
  label: string;
  /** What "no site chosen" reads as. */
  anyLabel: string;
  sites: readonly string[];
  value: string | null | undefined;
  onChange: (site: string | null) => void;
}

export function SiteSelect({ label, anyLabel, sites, value, onChange }: SiteSelectProps) {
  return (
    <label>
      {label}
      <select value={value ?? ''} onChange={(e) => onChange((e.target as HTMLSelectElement).value || null)}>
        <option value="">{anyLabel}</option>
        {sites.map((s) => (
          <option key={s} value={s}>
            {hostOf(s)}
          </option>
        ))}
      </select>
    </label>
  );
}
