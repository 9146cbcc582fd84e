/**
 * What Tend's content scripts are built with in place of WXT's `ContentScriptContext`. WXT's
 * context hands over between copies of a script through messages on `window`, which any page
 * can send, and watches the page's address; Tend does neither through it. Its copies hand over
 * through the isolated world (`lifetime.ts`), and the overlay engine follows the address
 * itself. Left out of the bundles, WXT's context would cost more than a kilobyte, gzipped, in
 * every forum page. `main` receives this in its place and does not use it.
 */
export class ContentScriptContext {
  constructor(
    readonly contentScriptName: string,
    readonly options?: unknown,
  ) {}
}
