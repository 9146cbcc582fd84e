/** Counters, gauges and one latency histogram, written out in Prometheus' text format. */

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const labelText = (labels: Record<string, string>): string => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

class Histogram {
  readonly counts = LATENCY_BUCKETS.map(() => 0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count += 1;
    LATENCY_BUCKETS.forEach((b, i) => {
      if (seconds <= b) this.counts[i]! += 1;
    });
  }
}

export class Metrics {
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly help = new Map<string, string>();
  private readonly histograms = new Map<string, Map<string, Histogram>>();
  private readonly gauges = new Map<string, () => number>();

  constructor() {
    this.describe('tend_http_requests_total', 'HTTP requests by route and status');
    this.describe('tend_ops_accepted_total', 'Ops accepted into a team log');
    this.describe('tend_ops_rejected_total', 'Ops refused, by reason code');
    this.describe('tend_live_messages_total', 'Messages sent on live sockets');
    this.describe('tend_db_seconds', 'Database transaction and query latency, by operation');
  }

  describe(name: string, help: string): void {
    this.help.set(name, help);
  }

  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    const series = this.counters.get(name) ?? new Map<string, number>();
    const key = labelText(labels);
    series.set(key, (series.get(key) ?? 0) + by);
    this.counters.set(name, series);
  }

  gauge(name: string, help: string, read: () => number): void {
    this.help.set(name, help);
    this.gauges.set(name, read);
  }

  observe(name: string, labels: Record<string, string>, seconds: number): void {
    const series = this.histograms.get(name) ?? new Map<string, Histogram>();
    const key = labelText(labels);
    const h = series.get(key) ?? new Histogram();
    h.observe(seconds);
    series.set(key, h);
    this.histograms.set(name, series);
  }

  /** Times an async database operation into `tend_db_seconds{op}`. */
  async time<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.observe('tend_db_seconds', { op }, (performance.now() - started) / 1000);
    }
  }

  /** Current value of a counter series (tests). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.counters.get(name)?.get(labelText(labels)) ?? 0;
  }

  render(): string {
    const out: string[] = [];
    const head = (name: string, type: string) => {
      const help = this.help.get(name);
      if (help) out.push(`# HELP ${name} ${help}`);
      out.push(`# TYPE ${name} ${type}`);
    };
    for (const [name, series] of this.counters) {
      head(name, 'counter');
      for (const [labels, v] of series) out.push(`${name}${labels} ${v}`);
    }
    for (const [name, read] of this.gauges) {
      head(name, 'gauge');
      out.push(`${name} ${read()}`);
    }
    for (const [name, series] of this.histograms) {
      head(name, 'histogram');
      for (const [labels, h] of series) {
        const inner = labels ? labels.slice(1, -1) + ',' : '';
        LATENCY_BUCKETS.forEach((b, i) => out.push(`${name}_bucket{${inner}le="${b}"} ${h.counts[i]}`));
        out.push(`${name}_bucket{${inner}le="+Inf"} ${h.count}`);
        out.push(`${name}_sum${labels} ${h.sum}`);
        out.push(`${name}_count${labels} ${h.count}`);
      }
    }
    return out.join('\n') + '\n';
  }
}
