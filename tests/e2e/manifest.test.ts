/**
 * The shipped builds never ask for all sites: broad host patterns appear only among the
 * optional host permissions, which are granted per origin at run time. The Firefox build
 * passes addons-linter with no errors.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { BUILTIN_HOST_PATTERNS, PLATFORM_HOST_PATTERNS } from '../../lib/domain/hosts';
import { REPO_ROOT } from './helpers/paths';

const e2e = inject('tendE2E');

interface Manifest {
  manifest_version: number;
  permissions?: string[];
  host_permissions?: string[];
  optional_host_permissions?: string[];
  optional_permissions?: string[];
  content_scripts?: { matches?: string[]; js?: string[] }[];
  content_security_policy?: { extension_pages?: string };
  browser_specific_settings?: {
    gecko?: { id?: string; data_collection_permissions?: { required?: string[]; optional?: string[] } };
  };
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

/**
 * A match pattern that reaches every site (or every site under a whole top-level domain, or
 * every local file): `<all_urls>`, `*://*\/*`, `https://*\/*`, `https://*.com/*`, `file:///*`.
 * Subdomain wildcards of one site (`https://*.reddit.com/*`) are fine.
 */
function isBroadPattern(pattern: string): boolean {
  if (pattern === '<all_urls>') return true;
  const m = /^([a-z*-]+):\/\/([^/]*)(\/.*)?$/i.exec(pattern);
  if (!m) return false; // an API permission such as "storage"
  const [, scheme, host] = m as unknown as [string, string, string];
  if (scheme === 'file') return true;
  if (host === '*' || host === '') return true;
  if (host.startsWith('*.') && !host.slice(2).includes('.')) return true;
  return false;
}

describe('isBroadPattern', () => {
  it.each(['<all_urls>', '*://*/*', 'https://*/*', 'http://*/*', 'https://*/forum/*', '*://*.test/*', 'https://*.com/*', 'file:///*'])(
    'flags %s',
    (p) => expect(isBroadPattern(p)).toBe(true),
  );
  it.each(['storage', 'https://github.com/*', 'https://*.reddit.com/*', 'https://*.stackexchange.com/*', '*://127.0.0.1/*'])(
    'accepts %s',
    (p) => expect(isBroadPattern(p)).toBe(false),
  );
});

describe.each([
  ['chrome-mv3', () => e2e.chromeBuild],
  ['firefox-mv3', () => e2e.firefoxBuild],
] as const)('shipped %s manifest', (_name, dir) => {
  it('asks for no broad host access up front', () => {
    const manifest = readManifest(dir());
    const upFront = [
      ...(manifest.permissions ?? []).map((p) => ['permissions', p] as const),
      ...(manifest.host_permissions ?? []).map((p) => ['host_permissions', p] as const),
      ...(manifest.content_scripts ?? []).flatMap((cs, i) =>
        (cs.matches ?? []).map((p) => [`content_scripts[${i}].matches`, p] as const),
      ),
    ];
    expect(upFront.filter(([, p]) => isBroadPattern(p))).toEqual([]);
    expect(manifest.host_permissions ?? []).toContain('https://meta.discourse.org/*');
  });

  it('asks for other sites only as optional host permissions, per origin at run time', () => {
    const manifest = readManifest(dir());
    expect(manifest.optional_host_permissions ?? []).toContain('https://*/*');
    expect((manifest.optional_host_permissions ?? []).every(isBroadPattern)).toBe(true);
  });

  it('asks only for the built-in platforms\' hosts, and runs each platform\'s own script only on its hosts', () => {
    const manifest = readManifest(dir());
    expect([...(manifest.host_permissions ?? [])].sort()).toEqual([...BUILTIN_HOST_PATTERNS].sort());
    const scripts = Object.fromEntries((manifest.content_scripts ?? []).map((cs) => [(cs.js ?? []).join(' '), [...(cs.matches ?? [])].sort()]));
    expect(scripts).toEqual({
      'content-scripts/content.js': [...PLATFORM_HOST_PATTERNS.discourse].sort(),
      'content-scripts/github.js': [...PLATFORM_HOST_PATTERNS.github].sort(),
      'content-scripts/stackexchange.js': [...PLATFORM_HOST_PATTERNS.stackexchange].sort(),
      'content-scripts/reddit.js': [...PLATFORM_HOST_PATTERNS.reddit].sort(),
    });
  });

  it('does not grant the test hosts', () => {
    const manifest = readManifest(dir());
    expect(manifest.host_permissions ?? []).not.toContain('*://*.test/*');
    expect(manifest.host_permissions ?? []).not.toContain('*://127.0.0.1/*');
  });
});

describe('shipped Firefox build', () => {
  it('declares its add-on id and data collection', () => {
    const gecko = readManifest(e2e.firefoxBuild).browser_specific_settings?.gecko;
    expect(gecko?.id).toMatch(/^\S+@\S+$/);
    expect(gecko?.data_collection_permissions?.required?.length).toBeGreaterThan(0);
  });

  it('does not upgrade its pages’ requests: the live socket to a team server on this computer stays ws://', () => {
    // Firefox's default policy for MV3 pages has `upgrade-insecure-requests`; Tend's must not.
    const policy = readManifest(e2e.firefoxBuild).content_security_policy?.extension_pages;
    expect(policy).toBeDefined();
    expect(policy).not.toMatch(/upgrade-insecure-requests/);
    expect(policy).toMatch(/script-src 'self'/);
  });

  it('passes addons-linter with no errors', async () => {
    const linter = path.join(REPO_ROOT, 'node_modules', '.bin', 'addons-linter');
    // addons-linter exits non-zero when it finds errors; the JSON report is on stdout either way.
    const { stdout } = await promisify(execFile)(linter, ['--output', 'json', e2e.firefoxBuild], {
      cwd: REPO_ROOT,
      maxBuffer: 32 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      if (!error.stdout) throw error;
      return { stdout: error.stdout };
    });
    type Message = { code: string; message: string; file?: string };
    const report = JSON.parse(stdout) as {
      summary: { errors: number; warnings: number; notices: number };
      errors: Message[];
      warnings: Message[];
    };
    // Known warnings: one UNSAFE_VAR_ASSIGNMENT per bundle from Preact's dangerouslySetInnerHTML
    // support (Tend renders user text as text, never as HTML).
    console.log(
      `addons-linter: ${report.summary.errors} errors, ${report.summary.warnings} warnings, ${report.summary.notices} notices` +
        report.warnings.map((w) => `\n  warning ${w.code} ${w.file ?? ''}: ${w.message}`).join(''),
    );
    expect(report.errors.map((e) => `${e.code} ${e.file ?? ''}: ${e.message}`)).toEqual([]);
    expect(report.summary.errors).toBe(0);
  });
});
