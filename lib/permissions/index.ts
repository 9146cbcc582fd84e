/** Enabling Tend on sites that are not built in: origins, permissions and registered content scripts. */
export * from './origins';
export * from './site-access';

import type { SiteAccess } from './site-access';

/** The permission events the background listens to. */
export interface PermissionEvents {
  permissions: {
    onAdded: { addListener(fn: (p: { origins?: string[] }) => void): void };
    onRemoved: { addListener(fn: (p: { origins?: string[] }) => void): void };
  };
}

/**
 * Keeps registrations in step with host permissions as they are granted and withdrawn.
 * Call synchronously at background start, so an event that woke the worker is heard.
 */
export function listenForSiteAccess(events: PermissionEvents, access: SiteAccess, log: (e: unknown) => void = console.warn): void {
  events.permissions.onAdded.addListener((p) => void access.granted(p.origins ?? []).catch(log));
  events.permissions.onRemoved.addListener((p) => void access.revoked(p.origins ?? []).catch(log));
}
