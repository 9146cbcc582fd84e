#!/usr/bin/env node
/**
 * `npm start`: builds Tend for Chrome and Firefox and says how to load each build.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const chrome = path.join(root, '.output', 'chrome-mv3');
const firefox = path.join(root, '.output', 'firefox-mv3');
console.log(`
Tend is built.

  Chrome / Chromium / Edge: open chrome://extensions, turn on "Developer mode",
    click "Load unpacked" and choose
      ${chrome}

  Firefox: open about:debugging#/runtime/this-firefox, click "Load Temporary Add-on…"
    and choose the manifest.json in
      ${firefox}

Then pin Tend to the toolbar and open its popup on a community site.
`);
