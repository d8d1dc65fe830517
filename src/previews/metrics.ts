/** Link preview metrics, registered in the node's registry (src/observability/metrics.ts). */
import { Counter, Histogram, type Registry } from 'prom-client';

export type PreviewOutcome = 'fetched' | 'cached' | 'failed' | 'refused';

export interface PreviewMetrics {
  /** Previews looked up: fetched now, answered from the cache (or a fetch in flight), failed, refused by the address policy. */
  outcomes: Counter<'outcome'>;
  /** Seconds one fetch took, page and image together, success or not. */
  fetchSeconds: Histogram;
}

export function createPreviewMetrics(registry: Registry): PreviewMetrics {
  return {
    outcomes: new Counter({
      name: 'chat_link_previews_total',
      help: 'Link previews looked up, by outcome (fetched, cached, failed, refused)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    fetchSeconds: new Histogram({
      name: 'chat_link_preview_fetch_seconds',
      help: 'Duration of a link preview fetch (page and image), success or not',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
      registers: [registry],
    }),
  };
}
