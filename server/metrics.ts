/**
 * The server's Prometheus metrics, kept by prom-client in a registry of this server's own
 * (tests run several servers in one process; a process-wide registry would mix them).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Every metric this server exports, named as `server/README.md` documents them. */
export class Metrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  /** HTTP requests by route name and status. */
  readonly httpRequests = new Counter({ name: 'tend_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'] as const, registers: [this.registry] });
  /** HTTP latency by route name. */
  readonly httpSeconds = new Histogram({ name: 'tend_http_seconds', help: 'HTTP request latency, by route', labelNames: ['route'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  /** Ops accepted into a team log. */
  readonly opsAccepted = new Counter({ name: 'tend_ops_accepted_total', help: 'Ops accepted into a team log', registers: [this.registry] });
  /** Ops refused, by reason code. */
  readonly opsRejected = new Counter({ name: 'tend_ops_rejected_total', help: 'Ops refused, by reason code', labelNames: ['code'] as const, registers: [this.registry] });
  /** Messages sent on live sockets. */
  readonly liveMessages = new Counter({ name: 'tend_live_messages_total', help: 'Messages sent on live sockets', registers: [this.registry] });
  /** Database latency by operation. */
  readonly dbSeconds = new Histogram({ name: 'tend_db_seconds', help: 'Database transaction and query latency, by operation', labelNames: ['op'] as const, buckets: LATENCY_BUCKETS, registers: [this.registry] });

  /** A gauge read when `/metrics` is scraped (open sockets, say). */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Times an async database operation into `tend_db_seconds{op}`. */
  async time<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const end = this.dbSeconds.startTimer({ op });
    try {
      return await fn();
    } finally {
      end();
    }
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content type of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
