// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueueView, type QueueViewProps } from '../../../components/dashboard/QueueView';
import { I18n } from '../../../components/i18n';
import type { QueueRow } from '../../../lib/store/queries';
import { englishT } from '../translator';

const NOW = Date.UTC(2026, 11, 2, 12);
const row = (i: number): QueueRow => ({
  key: `https://forum.example.org ${i}`,
  thread: { site: i % 2 ? 'https://forum.example.org' : 'https://meta.discourse.org', threadId: String(i) },
  title: `Question ${i}`,
  url: `https://forum.example.org/t/${i}`,
  since: NOW - (20_000 - i) * 60_000,
  state: 'unclaimed',
  answered: i % 10 === 9,
  expired: false,
  category: null,
  tags: i % 3 ? [] : ['api'],
  replies: 0,
});

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

function show(over: Partial<QueueViewProps> = {}) {
  root = document.createElement('div');
  document.body.append(root);
  const props: QueueViewProps = { rows: Array.from({ length: 20_000 }, (_, i) => row(i)), complete: true, now: NOW, busy: new Set(), onClaim: vi.fn(), onOpen: vi.fn(), onExport: vi.fn(), ...over };
  render(
    <I18n.Provider value={englishT}>
      <QueueView {...props} />
    </I18n.Provider>,
    root,
  );
  return props;
}

const key = (el: Element, k: string) => act(() => void el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })));
const grid = () => root.querySelector('[role="grid"]')!;
const active = () => document.getElementById(grid().getAttribute('aria-activedescendant')!)!;

describe('QueueView', () => {
  it('renders only the rows in view of 20,000, and says how many there are', () => {
    show();
    const rows = root.querySelectorAll('.qbody [role="row"]');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    // Answered ones are left out by default: 2,000 of them.
    expect(grid().getAttribute('aria-rowcount')).toBe(String(18_000 + 1));
    expect(root.textContent).toContain('18000 questions nobody holds, oldest first');
  });

  it('moves through rows with the arrow keys, opens with Enter and claims with c', async () => {
    const props = show();
    expect(active().getAttribute('aria-rowindex')).toBe('2');
    await key(grid(), 'ArrowDown');
    await key(grid(), 'ArrowDown');
    await key(grid(), 'ArrowUp');
    expect(active().textContent).toContain('Question 1');
    await key(grid(), 'Enter');
    expect(props.onOpen).toHaveBeenCalledWith(expect.objectContaining({ title: 'Question 1' }));
    await key(grid(), 'c');
    expect(props.onClaim).toHaveBeenCalledWith(expect.objectContaining({ title: 'Question 1' }));
    await key(grid(), 'End');
    expect(active().getAttribute('aria-rowindex')).toBe(String(18_000 + 1));
    expect(active().textContent).toContain('Question 19998');
  });

  it('filters by site and keeps the claim of a busy row from being sent twice', async () => {
    const props = show({ busy: new Set(['https://forum.example.org 0']) });
    const site = root.querySelector('select')!;
    await act(() => {
      site.value = 'https://meta.discourse.org';
      site.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(root.textContent).toContain('10000 questions nobody holds');
    await key(grid(), 'c');
    expect(props.onClaim).not.toHaveBeenCalled();
  });
});
