/**
 * Tabs, as the ARIA authoring practices describe them: one tab stop, arrow keys, Home and
 * End move between tabs, and the panel is labelled by its tab. Panels are rendered only while
 * selected, so a long list in a hidden tab costs nothing.
 */
import type { ComponentChildren } from 'preact';
import { useId, useRef } from 'preact/hooks';

/** One tab: its label and what it shows. */
export interface TabSpec {
  id: string;
  label: ComponentChildren;
  panel: () => ComponentChildren;
}

export interface TabsProps {
  tabs: readonly TabSpec[];
  selected: string;
  onSelect: (id: string) => void;
  /** Accessible name of the tab list. */
  label: string;
}

/** A tab list and the selected tab's panel. */
export function Tabs({ tabs, selected, onSelect, label }: TabsProps) {
  const base = useId();
  const list = useRef<HTMLDivElement>(null);
  const current = tabs.find((t) => t.id === selected) ?? tabs[0]!;
  const move = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === current.id);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const tab = tabs[(next + tabs.length) % tabs.length]!;
    onSelect(tab.id);
    // Focus follows selection, on the re-rendered button.
    queueMicrotask(() => list.current?.querySelector<HTMLButtonElement>(`[data-tab="${tab.id}"]`)?.focus());
  };
  return (
    <>
      <div class="tabs" role="tablist" aria-label={label} ref={list} onKeyDown={move}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`${base}-tab-${t.id}`}
            data-tab={t.id}
            aria-selected={t.id === current.id}
            aria-controls={`${base}-panel-${t.id}`}
            tabIndex={t.id === current.id ? 0 : -1}
            onClick={() => onSelect(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div class="tab-panel" role="tabpanel" id={`${base}-panel-${current.id}`} aria-labelledby={`${base}-tab-${current.id}`} tabIndex={0}>
        {current.panel()}
      </div>
    </>
  );
}
