// @vitest-environment happy-dom
/** Actions in place show that they are on their way until Tend has stored or refused them. */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18n } from '../../../components/i18n';
import { ClaimControl, type ClaimControlProps } from '../../../components/overlays/ClaimControl';
import { EndorsePanel, type EndorsePanelProps } from '../../../components/overlays/EndorsePanel';
import { englishT } from '../translator';

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});
function show(node: preact.ComponentChild) {
  root = document.createElement('div');
  document.body.append(root);
  act(() => render(<I18n.Provider value={englishT}>{node}</I18n.Provider>, root));
}
const claim = (over: Partial<ClaimControlProps> = {}) => <ClaimControl state="unclaimed" claim={null} now={0} busy={false} error={null} onAction={vi.fn()} {...over} />;

describe('pending actions', () => {
  it('the claim bar says saving… and takes no second click while an action of mine is on its way', () => {
    show(claim({ busy: true, pending: true }));
    expect(root.textContent).toContain('saving…');
    expect(root.querySelector('[role="group"]')!.getAttribute('aria-busy')).toBe('true');
    expect(root.querySelector('button')!.disabled).toBe(true);
  });

  it('the claim bar without an action on its way is as before', () => {
    show(claim());
    expect(root.textContent).not.toContain('saving…');
    expect(root.querySelector('[role="group"]')!.hasAttribute('aria-busy')).toBe(false);
    expect(root.querySelector('button')!.disabled).toBe(false);
  });

  it('the thanks panel says saving… in place of the characters left while my thanks is on its way', () => {
    const props: EndorsePanelProps = { endorsements: [], ownPost: false, busy: true, error: null, maxNote: 280, onEndorse: vi.fn(), onRetract: vi.fn(), onClose: vi.fn() };
    show(<EndorsePanel {...props} />);
    expect(root.textContent).toContain('saving…');
    expect(root.textContent).not.toContain('280');
    expect(root.querySelector<HTMLButtonElement>('button[type="submit"]')!.disabled).toBe(true);
  });
});
