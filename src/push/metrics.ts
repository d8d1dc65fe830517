/** Push metrics, registered in the node's registry (src/observability/metrics.ts). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PushQueue } from './queue/queue.js';

export interface PushMetrics {
  sent: Counter<'platform'>;
  /** Messages folded into another message's notification instead of their own. */
  coalesced: Counter;
  failed: Counter<'platform' | 'reason'>;
  /** Seconds from the (oldest covered) message's creation to the provider's acceptance. */
  latency: Histogram<'platform'>;
}

export function createPushMetrics(registry: Registry, queue: PushQueue): PushMetrics {
  new Gauge({
    name: 'chat_push_queue_depth',
    help: 'Push jobs not yet done (pending or running), over every node',
    registers: [registry],
    async collect() {
      try {
        this.set(await queue.depth());
      } catch {
        // A store that does not answer must not break the scrape.
      }
    },
  });
  return {
    sent: new Counter({
      name: 'chat_push_sent_total',
      help: 'Notifications accepted by a push service',
      labelNames: ['platform'],
      registers: [registry],
    }),
    coalesced: new Counter({
      name: 'chat_push_coalesced_total',
      help: 'Messages folded into a notification covering several messages',
      registers: [registry],
    }),
    failed: new Counter({
      name: 'chat_push_failed_total',
      help: 'Push attempts that failed, by reason (invalid_token, rate_limited, unavailable, network, rejected, gave_up)',
      labelNames: ['platform', 'reason'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'chat_push_latency_seconds',
      help: 'Time from a message to its notification being accepted by the push service',
      labelNames: ['platform'],
      buckets: [0.5, 1, 2, 3, 5, 10, 30, 60, 300, 1800],
      registers: [registry],
    }),
  };
}
