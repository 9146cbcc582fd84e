import { describe, expect, it } from 'vitest';
import {
  isBuiltInOrigin,
  isSupportedUrl,
  originKey,
  originOfPattern,
  originPattern,
  patternMatches,
  siteScriptId,
} from '../../../lib/permissions';

describe('origins Tend is enabled on', () => {
  it('keys an origin by scheme and host, without port, path or case', () => {
    expect(originKey('https://Forum.Example.org:8443/t/x/1?y#z')).toBe('https://forum.example.org');
    expect(originKey(new URL('http://localhost:3000'))).toBe('http://localhost');
    expect(() => originKey('chrome://extensions')).toThrow(/not a web origin/);
    expect(() => originKey('file:///tmp/x.html')).toThrow(/not a web origin/);
  });

  it('asks for one host: the pattern names no port (Firefox refuses ports in match patterns)', () => {
    expect(originPattern('https://forum.example.test:4443')).toBe('https://forum.example.test/*');
    expect(originPattern('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1/*');
  });

  it('reads one origin back from a granted pattern, and none from wildcard patterns', () => {
    expect(originOfPattern('https://forum.example.org/*')).toBe('https://forum.example.org');
    expect(originOfPattern('http://localhost:8080/*')).toBe('http://localhost');
    for (const p of ['*://*.test/*', 'https://*/*', 'https://*.example.org/*', '<all_urls>', 'file:///*', 'storage']) {
      expect(originOfPattern(p), p).toBeNull();
    }
  });

  it('names registered scripts by origin, with only characters an id may hold', () => {
    expect(siteScriptId('https://forum.example.org:8443')).toBe('tend-site-https-forum.example.org');
    expect(siteScriptId('http://[::1]:3000')).toBe('tend-site-http----1-');
    expect(siteScriptId('https://a.test')).not.toBe(siteScriptId('http://a.test'));
  });

  it('matches patterns the way browsers do for the hosts Tend uses', () => {
    const u = (s: string) => new URL(s);
    expect(patternMatches('https://*.reddit.com/*', u('https://old.reddit.com/r/x'))).toBe(true);
    expect(patternMatches('https://*.reddit.com/*', u('https://reddit.com/'))).toBe(true);
    expect(patternMatches('https://*.reddit.com/*', u('https://notreddit.com/'))).toBe(false);
    expect(patternMatches('*://*.test/*', u('http://forum.example.test:8080/'))).toBe(true);
    expect(patternMatches('https://github.com/*', u('http://github.com/'))).toBe(false);
    expect(patternMatches('https://*/*', u('https://anything.example/'))).toBe(true);
    expect(patternMatches('https://a.test:8080/*', u('https://a.test:8081/'))).toBe(false);
  });

  it('knows the built-in hosts, and where no extension may run', () => {
    expect(isBuiltInOrigin('https://meta.discourse.org')).toBe(true);
    expect(isBuiltInOrigin('https://math.stackexchange.com/questions/1')).toBe(true);
    expect(isBuiltInOrigin('https://forum.example.org')).toBe(false);
    expect(isBuiltInOrigin('http://github.com')).toBe(false);
    expect(isSupportedUrl('https://forum.example.org/t/1')).toBe(true);
    expect(isSupportedUrl('https://chromewebstore.google.com/detail/x')).toBe(false);
    expect(isSupportedUrl('https://addons.mozilla.org/en-US/firefox/')).toBe(false);
    expect(isSupportedUrl('chrome://newtab/')).toBe(false);
    expect(isSupportedUrl(undefined)).toBe(false);
  });
});
