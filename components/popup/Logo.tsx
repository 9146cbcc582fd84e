/** Tend's mark: a sprout in a circle, drawn in the page's accent colours. */
export function Logo({ size = 20 }: { size?: number }) {
  return (
    <svg class="logo" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="12" fill="var(--accent)" />
      <path d="M12 19v-7" stroke="var(--on-accent)" stroke-width="2" stroke-linecap="round" fill="none" />
      <path d="M12 12.5c0-3.6 2.2-6 5.8-6 0 3.6-2.2 6-5.8 6z" fill="var(--on-accent)" />
      <path d="M12 13.5c0-2.9-1.8-4.8-4.8-4.8 0 2.9 1.8 4.8 4.8 4.8z" fill="var(--on-accent)" />
    </svg>
  );
}
