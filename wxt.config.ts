import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';
import { BUILTIN_HOST_PATTERNS, TEST_HOST_PATTERNS } from './lib/domain/hosts';
import { minifyCssLiterals } from './scripts/minify-css-literals';

/**
 * `TEND_BUILD=test` makes the end-to-end build: test hosts are granted up front (a
 * headless browser cannot answer a permission prompt) and overlay shadow roots are open
 * so tests can look inside. The shipped build never asks for all sites.
 */
const testBuild = process.env.TEND_BUILD === 'test';

/**
 * Tend's pages (popup, dashboard, settings, first run, the thanks panel) load their modules as
 * extension resources, each file a request to the browser with its own cost, which a page opening
 * while the machine is busy feels more than the bytes. The code they share is kept in two files
 * rather than one per set of pages that happens to share it: the interface (Preact, the
 * browser API, messages, words, small views) and the database's read side.
 */
const PAGE_CHUNKS = [
  {
    name: 'ui',
    test: /node_modules[\\/](preact|webextension-polyfill|@wxt-dev)[\\/]|[\\/]components[\\/](i18n|errors|time|sync-status)\.|[\\/]components[\\/]popup[\\/](Logo|Tabs|format)\.|[\\/]lib[\\/]i18n[\\/]|[\\/]lib[\\/]messaging[\\/](client|names)\.|[\\/]lib[\\/]domain[\\/](result|refs|hlc|limits|hosts)\.|[\\/]lib[\\/]permissions[\\/]origins\.|rolldown[\\/]runtime/,
  },
  {
    name: 'reader',
    test: /node_modules[\\/]idb[\\/]|[\\/]lib[\\/]store[\\/](queries|reads|schema|summary|aggregates|thread-fold)\.|[\\/]lib[\\/]domain[\\/](claims|endorsements|observations|threads|op-kinds)\./,
  },
];

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({
    define: { __TEND_TEST_BUILD__: JSON.stringify(testBuild) },
    // The test build is built in mode "test", which Vite treats as development; its JSX is
    // compiled as for production all the same, so tests and benchmarks run the shipped code.
    oxc: { jsx: { development: false } },
    plugins: [minifyCssLiterals()],
    // Both browsers preload modules themselves (Firefox since 115): no polyfill, one request less per page.
    build: { modulePreload: { polyfill: false }, ...(process.env.TEND_SOURCEMAP ? { sourcemap: true } : {}) },
  }),
  hooks: {
    // Content scripts run in every forum page and must stay small (≤ 25 KB gzipped each). They
    // use four calls (sendMessage, connect, getURL, i18n.getMessage), all promise-based or
    // synchronous in both browsers' own APIs, so they take WXT's plain `browser` (Firefox's
    // `browser`, Chrome's `chrome`) instead of webextension-polyfill, which would be an eighth
    // of each bundle. The background and extension pages keep the polyfill.
    //
    // Nor do they take WXT's content-script context (see lib/overlay/script-context.ts).
    'vite:build:extendConfig'(entrypoints, config) {
      // The pages' build (several entrypoints, split into chunks): their shared code in two files.
      const output = config.build?.rollupOptions?.output;
      if (entrypoints.some((e) => e.inputPath.endsWith('.html')) && output && !Array.isArray(output)) {
        Object.assign(output, { codeSplitting: { includeDependenciesRecursively: false, groups: PAGE_CHUNKS } });
      }
      if (!entrypoints.every((e) => e.type === 'content-script')) return;
      const alias = config.resolve?.alias;
      const context = { find: /^wxt\/utils\/content-script-context$/, replacement: fileURLToPath(new URL('./lib/overlay/script-context.ts', import.meta.url)) };
      if (Array.isArray(alias)) config.resolve!.alias = [context, ...alias.filter((a) => a.find !== 'wxt/browser')];
      else {
        const rest = { ...(alias as Record<string, string> | undefined) };
        delete rest['wxt/browser'];
        config.resolve = { ...config.resolve, alias: [context, ...Object.entries(rest).map(([find, replacement]) => ({ find, replacement }))] };
      }
    },
  },
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage', 'alarms', 'scripting', 'activeTab', 'notifications'],
    host_permissions: [...BUILTIN_HOST_PATTERNS, ...(testBuild ? TEST_HOST_PATTERNS : [])],
    // Any other forum is enabled per origin from the popup, at run time.
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    action: { default_title: '__MSG_extName__' },
    // Suggested keys; people change them in the browser's shortcut settings.
    commands: {
      'open-dashboard': { suggested_key: { default: 'Alt+Shift+D' }, description: '__MSG_cmdOpenDashboard__' },
      'claim-thread': { suggested_key: { default: 'Alt+Shift+K' }, description: '__MSG_cmdClaimThread__' },
      'endorse-post': { suggested_key: { default: 'Alt+Shift+H' }, description: '__MSG_cmdEndorsePost__' },
    },
    // The endorse panel is framed into forum pages (names and notes stay out of the page's
    // reach); it must be loadable there. Chrome gives it an address that changes every
    // session, so no page can frame it by itself.
    web_accessible_resources: [{ resources: ['panel.html'], matches: ['<all_urls>'], ...(browser === 'firefox' ? {} : { use_dynamic_url: true }) }],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'tend@tend.community',
              strict_min_version: '140.0',
              // Solo mode sends nothing anywhere; joining a team server sends what the
              // queue needs (thread titles, urls, counts, handles) to the team's own server.
              data_collection_permissions: {
                required: ['none'],
                optional: ['websiteActivity', 'personallyIdentifyingInfo'],
              },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
          // Firefox's default policy for MV3 pages adds `upgrade-insecure-requests`, which turns
          // the live socket to a team server on this computer (ws://127.0.0.1) into wss://, so it
          // never connects. Tend itself allows plain http only on loopback (lib/sync/client.ts).
          content_security_policy: { extension_pages: "script-src 'self'" },
        }
      : {}),
  }),
});
