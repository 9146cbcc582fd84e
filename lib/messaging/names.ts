/** Names shared by both ends of the protocol, in a module page bundles can import cheaply. */

/** Name of the live-subscription port. */
export const SUBSCRIBE_PORT = 'tend.subscribe';
