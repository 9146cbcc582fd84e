// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18n } from '../../../components/i18n';
import { Welcome, type WelcomeProps } from '../../../components/popup/Welcome';
import { englishT } from '../translator';

let root: HTMLElement;
function show(over: Partial<WelcomeProps> = {}) {
  const props: WelcomeProps = { name: '', loadError: null, onSave: vi.fn(async (name: string) => ({ ok: true as const, value: { name } })), ...over };
  root = document.createElement('div');
  document.body.append(root);
  act(() =>
    render(
      <I18n.Provider value={englishT}>
        <Welcome {...props} />
      </I18n.Provider>,
      root,
    ),
  );
  return props;
}
const input = () => root.querySelector('input')!;
async function submit(value: string) {
  await act(async () => {
    input().value = value;
    input().dispatchEvent(new Event('input', { bubbles: true }));
  });
  await act(async () => {
    root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
  await act(async () => undefined);
}

afterEach(() => {
  render(null, root);
  root.remove();
});

describe('first-run page', () => {
  it('says what Tend is and labels the name field', () => {
    show();
    expect(root.querySelector('h1')!.textContent).toBe('Welcome to Tend');
    expect(root.textContent).toContain('“This helped”');
    expect(root.textContent).toContain('“I\'ll handle this”');
    const label = root.querySelector('label')!;
    expect(label.getAttribute('for')).toBe(input().id);
    expect(label.textContent).toBe('Display name');
  });

  it('shows validation errors and saves nothing', async () => {
    const props = show();
    await submit('   ');
    expect(root.querySelector('[role=alert]')!.textContent).toBe('Enter a name.');
    expect(input().getAttribute('aria-invalid')).toBe('true');
    expect(input().getAttribute('aria-describedby')).toContain(root.querySelector('[role=alert]')!.id);
    await submit('x'.repeat(61));
    expect(root.querySelector('[role=alert]')!.textContent).toBe('Use at most 60 characters.');
    expect(props.onSave).not.toHaveBeenCalled();
  });

  it('saves the trimmed name and says so', async () => {
    const props = show();
    await submit('  Ada Lovelace ');
    expect(props.onSave).toHaveBeenCalledWith('Ada Lovelace');
    expect(root.querySelector('[role=status]')!.textContent).toContain('Teammates will see you as Ada Lovelace');
    expect(root.querySelector('[role=alert]')).toBeNull();
  });

  it('shows why the background refused it', async () => {
    show({ onSave: async () => ({ ok: false, code: 'invalid', error: 'invalid me.setName: name is longer than 60 characters', detail: 'name is longer than 60 characters' }) });
    await submit('Ada');
    expect(root.querySelector('[role=alert]')!.textContent).toBe('Tend could not save your name: Tend could not accept this request (name is longer than 60 characters).');
  });

  it('fills in the saved name and waits while it loads', () => {
    show({ name: null });
    expect(root.querySelector<HTMLButtonElement>('button[type=submit]')!.disabled).toBe(true);
    render(null, root);
    show({ name: 'Grace' });
    expect(input().value).toBe('Grace');
  });
});
