/**
 * The description editor's content script: not in the manifest (it asks for no site), injected
 * by the background into the one tab the settings page's editor works on, when it first asks
 * something there.
 */
import { browserT } from '../lib/i18n';
import { listenForEditor } from '../lib/overlay/editor-session';

export default defineUnlistedScript(() => {
  // Injected again into a tab that has it (the editor reopened): one listener is enough.
  const w = globalThis as unknown as { __tendEditorListening?: boolean };
  if (w.__tendEditorListening) return;
  w.__tendEditorListening = true;
  listenForEditor(browserT, new AbortController().signal);
});
