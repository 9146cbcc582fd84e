/**
 * The description editor's content script: not in the manifest, injected by the background
 * into the one tab the settings page's editor works on, when it first asks something there.
 */
import { browserT } from '../lib/i18n';
import { listenForEditor } from '../lib/overlay/editor-session';

export default defineContentScript({
  matches: ['https://*/*', 'http://*/*'],
  registration: 'runtime',
  main(ctx) {
    // Injected again into a tab that has it (the editor reopened): one listener is enough.
    const w = globalThis as unknown as { __tendEditorListening?: boolean };
    if (w.__tendEditorListening) return;
    w.__tendEditorListening = true;
    const controller = new AbortController();
    ctx.onInvalidated(() => {
      controller.abort();
      w.__tendEditorListening = false;
    });
    listenForEditor(browserT, controller.signal);
  },
});
