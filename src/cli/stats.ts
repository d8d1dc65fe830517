/**
 * `chat stats`: a node's figures from its /metrics, read twice an interval
 * apart so counters become rates.
 */
import { parseArgs } from 'node:util';
import { type Buckets, intervalQuantile } from '../admin/quantile.js';
import { CliError, type Output } from './output.js';

type Samples = Map<string, number>;

/** `name{labels} value` lines of the Prometheus text format. */
export function parseMetrics(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

function buckets(samples: Samples, name: string): Buckets {
  const rows = [...samples]
    .filter(([key]) => key.startsWith(`${name}_bucket{`))
    .map(([key, count]) => {
      const le = /le="([^"]+)"/.exec(key)?.[1] ?? '+Inf';
      return { bound: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count };
    })
    .sort((a, b) => a.bound - b.bound);
  return { bounds: rows.map((r) => r.bound), counts: rows.map((r) => r.count) };
}

function sum(samples: Samples, prefix: string): number {
  let total = 0;
  for (const [key, value] of samples) if (key === prefix || key.startsWith(`${prefix}{`)) total += value;
  return total;
}

const ms = (seconds: number | null) => (seconds === null ? '–' : `${(seconds * 1000).toFixed(1)} ms`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

export async function statsCommand(args: string[], env: Record<string, string | undefined>, out: Output) {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string', default: env.CHAT_URL ?? `http://127.0.0.1:${env.PORT ?? '8080'}` },
      interval: { type: 'string', default: '1' },
    },
  });
  const seconds = Number(values.interval);
  if (!(seconds > 0 && seconds <= 60)) throw new CliError('--interval: seconds, up to 60');
  const url = new URL('/metrics', String(values.url)).toString();
  const scrape = async () => {
    const response = await fetch(url).catch((error: unknown) => {
      throw new CliError(`cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (!response.ok) throw new CliError(`${url} answered ${response.status}`);
    return parseMetrics(await response.text());
  };
  const before = await scrape();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = await scrape();
  const rate = (name: string) => ((sum(after, name) - sum(before, name)) / seconds).toFixed(1);
  const latency = (q: number) =>
    ms(
      intervalQuantile(
        buckets(before, 'chat_delivery_latency_seconds'),
        buckets(after, 'chat_delivery_latency_seconds'),
        q,
      ),
    );
  const rows: [string, string][] = [
    ['connections', String(sum(after, 'chat_ws_connections'))],
    ['messages accepted/s', rate('chat_messages_stored_total')],
    ['delivered/s (live)', rate('chat_messages_delivered_total{path="live"}')],
    ['delivered/s (replay)', rate('chat_messages_delivered_total{path="replay"}')],
    ['delivery p50 / p99', `${latency(0.5)} / ${latency(0.99)}`],
    ['event-loop lag p99', ms(after.get('chat_event_loop_lag_seconds{quantile="0.99"}') ?? null)],
    ['slow-consumer disconnects', String(sum(after, 'chat_ws_slow_consumer_disconnects_total'))],
    ['rate-limit rejections', String(sum(after, 'chat_rate_limit_rejections_total'))],
    [
      'users online / idle',
      `${after.get('chat_presence_users{status="online"}') ?? 0} / ${after.get('chat_presence_users{status="idle"}') ?? 0}`,
    ],
    [
      'RSS / heap used',
      `${mib(sum(after, 'chat_process_resident_memory_bytes'))} / ${mib(sum(after, 'chat_nodejs_heap_size_used_bytes'))}`,
    ],
  ];
  out.line(`${url} over ${seconds} s`);
  for (const [label, value] of rows) out.line(`  ${label.padEnd(26)} ${value}`);
  const outboxes = [...after].filter(([key]) => key.startsWith('chat_outbox_undelivered_messages{'));
  if (outboxes.length > 0) {
    out.line('  largest outboxes');
    for (const [key, value] of outboxes.sort((a, b) => b[1] - a[1])) {
      out.line(`    ${(/user="([^"]*)"/.exec(key)?.[1] ?? '?').padEnd(24)} ${value}`);
    }
  }
}
