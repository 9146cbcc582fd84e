// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataSettings } from '../../../components/data/DataSettings';
import { I18n } from '../../../components/i18n';
import { DataError, type DataIO } from '../../../lib/data/io';
import { englishT } from '../translator';

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

function show(io: DataIO, onChanged = vi.fn()) {
  root = document.createElement('div');
  document.body.append(root);
  render(
    <I18n.Provider value={englishT}>
      <DataSettings io={io} onChanged={onChanged} />
    </I18n.Provider>,
    root,
  );
  return onChanged;
}

const button = (name: string) => [...root.querySelectorAll('button')].find((b) => b.textContent === name)!;
const flush = () => act(async () => new Promise((r) => setTimeout(r, 0)));

const fakeIO = (over: Partial<DataIO> = {}): DataIO => ({
  exportAll: vi.fn(async () => ({ tend: 'export', version: 1, exportedAt: 1, ops: [], outbox: [], people: [], settings: null, paused: false, enabledOrigins: [], localSites: {}, teamSites: {} }) as never),
  importText: vi.fn(async () => ({ added: 3, skipped: 0 })),
  wipe: vi.fn(async () => undefined),
  download: vi.fn(),
  ...over,
});

async function choose(text: string) {
  const input = root.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { value: [{ name: 'tend.json', text: async () => text }], configurable: true });
  await act(async () => {
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await flush();
}

describe('DataSettings', () => {
  it('exports everything as one JSON file', async () => {
    const io = fakeIO();
    show(io);
    await act(async () => button('Export everything (JSON)').click());
    await flush();
    expect(io.download).toHaveBeenCalledWith(expect.stringMatching(/^tend-\d{4}-\d\d-\d\d\.json$/), 'application/json', expect.stringContaining('"tend": "export"'));
    expect(root.textContent).toContain('Exported 0 records.');
  });

  it('imports a file and says what it added', async () => {
    const io = fakeIO();
    const changed = show(io);
    await choose('{}');
    expect(io.importText).toHaveBeenCalledWith('{}', expect.any(Function));
    expect(root.textContent).toContain('Imported: 3 new, 0 already here.');
    expect(changed).toHaveBeenCalled();
  });

  it('puts an import problem in words, from its code', async () => {
    show(fakeIO({ importText: vi.fn(async () => Promise.reject(new DataError('invalid', 'ops.1.thread.site: site must be an origin'))) }));
    await choose('{}');
    const alert = root.querySelector('[role="alert"]')!;
    expect(alert.textContent).toBe('That file is damaged or was edited: ops.1.thread.site: site must be an origin. Nothing was imported.');
  });

  it('wipes only once confirmed', async () => {
    const io = fakeIO();
    show(io);
    await act(async () => button('Wipe everything…').click());
    expect(io.wipe).not.toHaveBeenCalled();
    await act(async () => button('Keep my data').click());
    await act(async () => button('Wipe everything…').click());
    await act(async () => button('Yes, wipe everything').click());
    await flush();
    expect(io.wipe).toHaveBeenCalledTimes(1);
    expect(root.textContent).toContain('Everything Tend stored in this browser is gone.');
  });
});
