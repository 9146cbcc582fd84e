/**
 * Real host names for Firefox, which has no `--host-resolver-rules`: an HTTP proxy in the test
 * process that answers `CONNECT meta.discourse.org:PORT` by piping to 127.0.0.1:PORT. The page's
 * URL stays the real one (`https://meta.discourse.org:PORT/t/…`, exactly what Chromium's
 * `MAP meta.discourse.org 127.0.0.1` gives), so both browsers run the same URLs and Tend sees the
 * same origins.
 *
 * Anything else is refused, including the requests Firefox makes by itself at start
 * (firefox.settings.services.mozilla.com): nothing leaves the machine.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** The running proxy. */
export interface HostProxy {
  /** The port Firefox's `network.proxy.http_port` / `ssl_port` point at. */
  port: number;
  /** Every tunnel asked for, as `host:port`, answered or refused. */
  requests: string[];
  /** Tunnels refused (hosts not mapped). */
  refused: string[];
  close(): Promise<void>;
}

const CONNECT = /^CONNECT ([^\s:]+):(\d+) HTTP\/1\.[01]\r\n/;

/**
 * Starts the proxy. `hosts` are the names mapped to 127.0.0.1 (a leading `*.` maps every
 * subdomain), as `launchExtension({ hostMap })` maps them in Chromium.
 */
export async function hostProxy(hosts: readonly string[]): Promise<HostProxy> {
  const requests: string[] = [];
  const refused: string[] = [];
  const sockets = new Set<Socket>();
  const mapped = (host: string) =>
    hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h.toLowerCase()));

  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 8_192) client.destroy();
        return;
      }
      client.off('data', onData);
      const m = CONNECT.exec(head);
      const target = m ? `${m[1]!.toLowerCase()}:${m[2]}` : head.split('\r\n')[0]!;
      requests.push(target);
      if (!m || !mapped(m[1]!.toLowerCase())) {
        refused.push(target);
        client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const upstream = createConnection({ host: '127.0.0.1', port: Number(m[2]) });
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      upstream.once('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        // Anything the browser sent after the request line belongs to the tunnel.
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Firefox preferences that send every http(s) request for a host name through `proxy` (loopback addresses go direct). */
export function proxyPrefs(proxy: HostProxy): Record<string, unknown> {
  return {
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': proxy.port,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': proxy.port,
    'network.proxy.share_proxy_settings': false,
    // 127.0.0.1 and localhost (the team server) are reached directly, never through the proxy.
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': false,
  };
}
