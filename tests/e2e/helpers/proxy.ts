/**
 * A TCP proxy on 127.0.0.1 that can be cut and reconnected, to take a server away from one
 * browser only. Playwright's offline mode does not reach an extension's service worker or
 * its WebSockets (docs/testing.md), so a test that needs "this member lost the team
 * server" puts one of these between that member's extension and the server.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CuttableProxy {
  /** The port the proxy listens on (the same after `restore()`). */
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Whether connections are being forwarded. */
  readonly up: boolean;
  /** Drops every open connection and refuses new ones (the port stops listening). */
  cut(): Promise<void>;
  /** Listens again on the same port and forwards new connections. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:<port> to `target` (host defaults to 127.0.0.1). */
export async function cuttableProxy(target: { port: number; host?: string }): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ port: target.port, host: target.host ?? '127.0.0.1' });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // A reset on one side ends the other: an error here is the connection going away.
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get up() {
      return server.listening;
    },
    cut: stop,
    async restore() {
      if (!server.listening) await listen(port);
    },
    close: stop,
  };
}
