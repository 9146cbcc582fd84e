// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18n } from '../../../components/i18n';
import { Popup, type PopupProps } from '../../../components/popup/Popup';
import type { PopupSummary } from '../../../lib/store/summary';
import type { SiteStatus } from '../../../lib/messaging/protocol';
import type { MyClaim } from '../../../lib/store';
import { englishT } from '../translator';

const NOW = Date.UTC(2026, 0, 10, 12);
const HOUR = 3_600_000;
const FORUM = 'https://forum.example.test';

const claim = (site: string, threadId: string, hoursLeft: number, title: string | null = `Question ${threadId}`): MyClaim => ({
  thread: { site, threadId },
  key: `${site} ${threadId}`,
  title,
  url: title ? `${site}/t/x/${threadId}` : null,
  epoch: 1,
  expiresAt: NOW + hoursLeft * HOUR - 60_000,
  pending: false,
});

const status = (over: Partial<SiteStatus> = {}): SiteStatus => ({ origin: FORUM, site: FORUM, builtIn: false, enabled: true, granted: true, supported: true, ...over });

const summary = (over: Partial<PopupSummary> = {}): PopupSummary => ({
  me: { id: 'me1', name: 'Ada' },
  counts: { unclaimed: 3, claimed: 1, answered: 2, resolved: 4 },
  claims: [],
  claimedHere: [],
  rejected: [],
  received: [],
  given: [],
  ...over,
});

let root: HTMLElement;
function show(over: Partial<PopupProps> = {}) {
  const props: PopupProps = {
    summary: { kind: 'ready', summary: summary() },
    site: { status: status(), error: null, notice: null, busy: false },
    now: NOW,
    claimBusy: new Set(),
    claimError: null,
    onEnable: vi.fn(),
    onDisable: vi.fn(),
    onClaimAction: vi.fn(),
    onSetName: vi.fn(),
    onRetry: vi.fn(),
    ...over,
  };
  root = document.createElement('div');
  document.body.append(root);
  act(() =>
    render(
      <I18n.Provider value={englishT}>
        <Popup {...props} />
      </I18n.Provider>,
      root,
    ),
  );
  return props;
}
const text = () => root.textContent ?? '';
const button = (name: string | RegExp) => {
  const all = [...root.querySelectorAll('button')];
  const found = all.find((b) => (typeof name === 'string' ? (b.getAttribute('aria-label') ?? b.textContent) === name : name.test(b.getAttribute('aria-label') ?? b.textContent ?? '')));
  if (!found) throw new Error(`no button ${name}; have ${all.map((b) => b.getAttribute('aria-label') ?? b.textContent).join(' | ')}`);
  return found;
};

afterEach(() => {
  render(null, root);
  root.remove();
});

describe('popup', () => {
  it('shows loading and error states in words', () => {
    show({ summary: { kind: 'loading' }, site: { status: null, error: null, notice: null, busy: false } });
    expect(text()).toContain('Loading…');
    expect(text()).toContain('Checking this site…');
    expect(root.querySelector('main')!.getAttribute('aria-busy')).toBe('true');
    render(null, root);

    const props = show({ summary: { kind: 'error', error: 'QuotaExceededError' } });
    expect(root.querySelector('[role=alert]')!.textContent).toContain('Tend could not read its data: QuotaExceededError');
    act(() => button('Try again').click());
    expect(props.onRetry).toHaveBeenCalled();
  });

  it('shows the site’s counts and my claims, this site’s first, with time left', () => {
    show({ summary: { kind: 'ready', summary: summary({ claims: [claim('https://github.com', '7', 1, null), claim(FORUM, '1', 24)] }) } });
    const counts = [...root.querySelectorAll('.counts li')].map((li) => li.textContent);
    expect(counts).toEqual(['3Unclaimed', '1Claimed', '2Answered', '4Done']);
    const items = [...root.querySelectorAll('ul[aria-label="Your claims"] li')].map((li) => li.textContent);
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('Question 1');
    expect(items[0]).toContain('here');
    expect(items[0]).toContain('24 hr left');
    expect(items[1]).toContain('Thread 7');
    expect(items[1]).toContain('github.com');
    expect(items[1]).toContain('59 min left');
    expect(root.querySelector('a.claim-title')!.getAttribute('href')).toBe(`${FORUM}/t/x/1`);
    expect(root.querySelector('[role=tab][aria-selected=true]')!.textContent).toBe('Your claims 2');
  });

  it('lists my claims from a read made before the site was known, and the site’s counts only once they are read for it', () => {
    const heldBySam = { key: `${FORUM} 9`, holderName: 'Sam', title: 'Sam’s question', url: null, expiresAt: NOW + HOUR };
    show({ summary: { kind: 'ready', partial: true, summary: summary({ counts: null, claimedHere: [heldBySam], claims: [claim(FORUM, '1', 24)] }) } });
    expect(root.querySelectorAll('ul[aria-label="Your claims"] li')).toHaveLength(1);
    expect(root.querySelector('.counts')).toBeNull();
    expect(text()).not.toContain('Sam’s question');
    expect(root.querySelector('.site')!.textContent).toContain('Loading…');
    render(null, root);

    show({ summary: { kind: 'ready', summary: summary({ claimedHere: [heldBySam], claims: [claim(FORUM, '1', 24)] }) } });
    expect([...root.querySelectorAll('.counts li')].map((li) => li.textContent)).toEqual(['3Unclaimed', '1Claimed', '2Answered', '4Done']);
    expect(text()).toContain('Sam’s question');
    expect(root.querySelector('.site')!.textContent).not.toContain('Loading…');
  });

  it('says who holds the questions claimed on this site', () => {
    const claimedHere = [
      { key: `${FORUM} 5`, holderName: 'Sam', title: 'Webhooks stop after upgrading', url: `${FORUM}/t/w/5`, expiresAt: NOW + 20 * HOUR },
      { key: `${FORUM} 6`, holderName: '', title: null, url: null, expiresAt: NOW + 2 * HOUR },
    ];
    show({ summary: { kind: 'ready', summary: summary({ counts: { unclaimed: 3, claimed: 6, answered: 0, resolved: 0 }, claimedHere, claims: [claim(FORUM, '1', 24)] }) } });
    const held = [...root.querySelectorAll('ul[aria-label="Who holds the claimed questions here"] li')].map((li) => li.textContent);
    expect(held).toEqual(['SamWebhooks stop after upgrading20 hr left', 'a teammateThread 62 hr left', 'and 3 more']);
    render(null, root);
    show({ summary: { kind: 'ready', summary: summary({ counts: { unclaimed: 3, claimed: 1, answered: 0, resolved: 0 }, claims: [claim(FORUM, '1', 24)] }) } });
    expect(text()).toContain('Only you hold claims here.');
  });

  it('says when lists are empty', () => {
    show();
    expect(text()).toContain('Nothing claimed.');
    act(() => (root.querySelector('[role=tab][data-tab=thanks]') as HTMLButtonElement).click());
    expect(text()).toContain('No thanks yet.');
    expect(text()).toContain('You have not thanked anyone yet.');
  });

  it('moves between its tabs with the arrow keys', async () => {
    show();
    const tabs = () => [...root.querySelectorAll<HTMLButtonElement>('[role=tab]')];
    expect(tabs().map((t) => [t.textContent, t.getAttribute('aria-selected'), t.tabIndex])).toEqual([
      ['Your claims 0', 'true', 0],
      ['Thanks 0', 'false', -1],
    ]);
    tabs()[0]!.focus();
    act(() => {
      tabs()[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    });
    await Promise.resolve();
    expect(tabs()[1]!.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(tabs()[1]);
    const panel = root.querySelector('[role=tabpanel]')!;
    expect(panel.getAttribute('aria-labelledby')).toBe(tabs()[1]!.id);
    act(() => {
      tabs()[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    });
    expect(tabs()[0]!.getAttribute('aria-selected')).toBe('true');
  });

  it('sends Renew, Release and Done for the right claim, and waits while one is under way', () => {
    const c = claim(FORUM, '1', 5);
    const props = show({ summary: { kind: 'ready', summary: summary({ claims: [c] }) } });
    act(() => button('Renew claim on Question 1').click());
    act(() => button('Release claim on Question 1').click());
    act(() => button('Done: mark Question 1 handled').click());
    expect(vi.mocked(props.onClaimAction).mock.calls).toEqual([
      [c, 'renew'],
      [c, 'release'],
      [c, 'resolve'],
    ]);
    render(null, root);
    show({ summary: { kind: 'ready', summary: summary({ claims: [c] }) }, claimBusy: new Set([c.key]) });
    expect(button('Renew claim on Question 1').disabled).toBe(true);
  });

  it('shows recognition received and given, notes as text', () => {
    const { summary: s2 } = {
      summary: {
        kind: 'ready',
        summary: summary({
          received: [{ key: 'r', who: 'Grace', site: FORUM, note: '<b>fixed</b> my build', at: NOW - 2 * HOUR, threadTitle: 'Keys', threadUrl: `${FORUM}/t/keys/1` }],
          given: [{ key: 'g', who: 'sam', site: FORUM, note: null, at: NOW - 3 * 24 * HOUR, threadTitle: null, threadUrl: 'javascript:alert(1)' }],
        }),
      },
    };
    show({ summary: s2 as never });
    act(() => (root.querySelector('[role=tab][data-tab=thanks]') as HTMLButtonElement).click());
    const received = root.querySelector('ul[aria-label="Thanks you received lately"]')!;
    expect(received.textContent).toContain('From Grace');
    expect(received.textContent).toContain('2 hours ago');
    expect(received.querySelector('.note')!.textContent).toBe('<b>fixed</b> my build');
    expect(received.querySelector('b')).toBeNull();
    const given = root.querySelector('ul[aria-label="Thanks you gave lately"]')!;
    expect(given.textContent).toContain('To sam');
    expect(given.textContent).toContain('3 days ago');
    // A stored URL that is not http(s) is not a link.
    expect(given.querySelector('a')).toBeNull();
  });

  it('shows where team sync stands, with a way to the settings', () => {
    const onOpenSettings = vi.fn();
    show({ sync: { state: 'synced', lastSyncAt: NOW - 5_000 }, onOpenSettings });
    expect(text()).toContain('Synced just now');
    act(() => button('Settings').click());
    expect(onOpenSettings).toHaveBeenCalled();
    render(null, root);
    show({ sync: { state: 'offline', lastSyncAt: NOW - 60_000 } });
    expect(text()).toContain('Offline: your changes are kept');
    render(null, root);
    show({ sync: { state: 'error', lastSyncAt: null, error: 'update Tend' } });
    expect(root.querySelector('.sync-line')!.textContent).toContain('Sync error: update Tend');
  });

  it('shows actions the team refused, with the reason', () => {
    show({ summary: { kind: 'ready', summary: summary({ rejected: [{ id: 'op1', reason: 'Sam claimed this first', at: NOW - 1_000 }] }) } });
    expect(text()).toContain('Not accepted by the team');
    expect(text()).toContain('Sam claimed this first');
  });

  it('offers to set a name while it is empty', () => {
    const props = show({ summary: { kind: 'ready', summary: summary({ me: { id: 'me1', name: '' } }) } });
    act(() => button('Set your name').click());
    expect(props.onSetName).toHaveBeenCalled();
    render(null, root);
    show();
    expect(root.querySelector('.me')!.textContent).toBe('Ada');
  });
});

describe('the site switch', () => {
  it('offers to enable Tend on a site that is off, and calls back straight from the click', () => {
    const props = show({ site: { status: status({ enabled: false, granted: false }), error: null, notice: null, busy: false } });
    expect(text()).toContain('Tend is off here');
    // No counts while Tend does not run here.
    expect(root.querySelector('.counts')).toBeNull();
    button('Enable Tend on this site').click();
    expect(props.onEnable).toHaveBeenCalledTimes(1);
  });

  it('offers to grant a withdrawn permission again', () => {
    const props = show({ site: { status: status({ enabled: true, granted: false }), error: null, notice: null, busy: false } });
    expect(text()).toContain('Tend lost access here');
    button('Allow access again').click();
    expect(props.onEnable).toHaveBeenCalled();
  });

  it('turns off an enabled site, but never a built-in one', () => {
    const props = show();
    expect(text()).toContain('Tend is on here');
    act(() => button('Turn off here').click());
    expect(props.onDisable).toHaveBeenCalled();
    render(null, root);
    show({ site: { status: status({ builtIn: true, origin: 'https://github.com', site: 'https://github.com' }), error: null, notice: null, busy: false } });
    expect(text()).toContain('Built in');
    expect([...root.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Turn off here');
  });

  it('says when Tend cannot run on the page, shows errors and notices, and waits while busy', () => {
    show({ site: { status: status({ supported: false, origin: null, site: null }), error: null, notice: null, busy: false } });
    expect(text()).toContain('Tend can’t run on this page.');
    render(null, root);
    show({ site: { status: status({ enabled: false, granted: false }), error: 'Tend could not start here: boom', notice: 'Tend was not given access, so it stays off here.', busy: true } });
    expect(root.querySelector('.site [role=alert]')!.textContent).toBe('Tend could not start here: boom');
    expect(root.querySelector('.site [role=status]')!.textContent).toContain('not given access');
    expect(button('Working…').disabled).toBe(true);
  });
});
