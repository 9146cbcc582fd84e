import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createHandler, route, type SenderLike } from '../../../lib/messaging';
import { SiteAccess } from '../../../lib/permissions';
import { TendStore } from '../../../lib/store';
import { fakeSiteBrowser } from './fake-browser';

const env = { runtimeId: 'tend-id', extensionBase: 'chrome-extension://tend-id/' };
const FORUM = 'https://forum.example.org';
const pageSender: SenderLike = { id: 'tend-id', url: 'chrome-extension://tend-id/popup.html' };
const contentSender: SenderLike = { id: 'tend-id', url: `${FORUM}/t/x/1`, origin: FORUM, tab: { id: 7 }, frameId: 0 };

let n = 0;
async function setup(withSites = true) {
  const store = await TendStore.open({ name: `tend-site-req-${++n}` });
  await store.me();
  const fake = fakeSiteBrowser({ tabs: [{ id: 7, url: `${FORUM}/t/x/1` }] });
  const sites = new SiteAccess(fake.browser);
  const handle = createHandler({ store, notify: () => undefined, version: '1', ...(withSites ? { sites } : {}) });
  const send = (request: unknown, sender: SenderLike = pageSender) => route({ tend: 1, request }, sender, env, handle);
  return { fake, send };
}

describe('site.* requests', () => {
  it('answer the popup with the site’s status, and enable and disable it', async () => {
    const { fake, send } = await setup();
    expect(await send({ type: 'site.status', tabId: 7 })).toEqual({
      ok: true,
      value: { origin: FORUM, site: FORUM, builtIn: false, enabled: false, granted: false, supported: true, reader: 'unknown' },
    });
    expect(await send({ type: 'site.enable', origin: FORUM, tabId: 7 })).toMatchObject({ ok: false, code: 'site-not-granted' });
    fake.grant(`${FORUM}/*`);
    expect(await send({ type: 'site.enable', origin: FORUM, tabId: 7 })).toMatchObject({ ok: true, value: { enabled: true, granted: true } });
    expect(fake.executed.map((e) => e.tabId)).toEqual([7]);
    expect(await send({ type: 'site.disable', origin: FORUM })).toMatchObject({ ok: true, value: { enabled: false, granted: false } });
  });

  it('are only for Tend’s own pages', async () => {
    const { fake, send } = await setup();
    fake.grant(`${FORUM}/*`);
    for (const request of [{ type: 'site.status', tabId: 7 }, { type: 'site.enable', origin: FORUM }, { type: 'site.disable', origin: FORUM }]) {
      expect(await send(request, contentSender)).toMatchObject({ ok: false, code: 'forbidden' });
    }
    expect(fake.scripts.size).toBe(0);
  });

  it('are validated: origins only, tab ids as whole numbers', async () => {
    const { send } = await setup();
    expect(await send({ type: 'site.enable', origin: 'javascript:alert(1)' })).toMatchObject({ ok: false, code: 'invalid' });
    expect(await send({ type: 'site.enable', origin: `${FORUM}/path` })).toMatchObject({ ok: false, code: 'invalid' });
    expect(await send({ type: 'site.status', tabId: -1 })).toMatchObject({ ok: false, code: 'invalid' });
    expect(await send({ type: 'site.status', tabId: '7' })).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('say so where there is no browser to ask', async () => {
    const { send } = await setup(false);
    expect(await send({ type: 'site.status', tabId: 7 })).toMatchObject({ ok: false, code: 'unavailable' });
  });
});
