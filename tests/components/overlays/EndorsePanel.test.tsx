// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { I18n } from '../../../components/i18n';
import { EndorsePanel, type EndorsePanelProps } from '../../../components/overlays/EndorsePanel';
import { englishT } from '../translator';

let root: HTMLElement;
function show(over: Partial<EndorsePanelProps> = {}) {
  root = document.createElement('div');
  document.body.append(root);
  const props: EndorsePanelProps = {
    endorsements: [],
    ownPost: false,
    busy: false,
    error: null,
    maxNote: 280,
    onEndorse: async () => true,
    onRetract: async () => true,
    onClose: () => undefined,
    ...over,
  };
  act(() =>
    render(
      <I18n.Provider value={englishT}>
        <EndorsePanel {...props} />
      </I18n.Provider>,
      root,
    ),
  );
  return (next: Partial<EndorsePanelProps>) =>
    act(() =>
      render(
        <I18n.Provider value={englishT}>
          <EndorsePanel {...props} {...next} />
        </I18n.Provider>,
        root,
      ),
    );
}

afterEach(() => {
  render(null, root);
  root.remove();
});

describe('EndorsePanel focus', () => {
  it('lands on the note field once the thanks have loaded', () => {
    const update = show({ endorsements: null });
    expect(root.querySelector('textarea')).toBeNull();
    update({ endorsements: [] });
    expect(document.activeElement).toBe(root.querySelector('textarea'));
  });

  it('lands on the note field again when its frame gets the focus after the focus went nowhere', () => {
    show();
    const textarea = root.querySelector('textarea')!;
    // As when the browser ignored the first call: a framed page focused before its frame was.
    textarea.blur();
    expect(document.activeElement).toBe(document.body);
    window.dispatchEvent(new Event('focus'));
    expect(document.activeElement).toBe(textarea);
  });

  it('leaves the focus where the person put it when the frame is focused again', () => {
    show({ endorsements: [{ actor: 'a', name: 'Ann', note: null, pending: false, mine: false }] });
    const send = [...root.querySelectorAll('button')].find((b) => b.textContent?.includes('Send'))!;
    send.focus();
    window.dispatchEvent(new Event('focus'));
    expect(document.activeElement).toBe(send);
  });
});
