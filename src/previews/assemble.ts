/**
 * Builds a node's link previews from configuration (CHAT_LINK_PREVIEWS and
 * the CHAT_LINK_PREVIEW_* settings); null when they are off.
 */
import type { ChatConfig } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { ChatEvents } from '../domain/events.js';
import { openBlobStore } from '../media/assemble.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Storage } from '../store/stores.js';
import { DEFAULT_FETCH_LIMITS } from './fetch-preview.js';
import { createPreviewMetrics } from './metrics.js';
import { LinkPreviews } from './service.js';
import { parseAllowList } from './target.js';

/** Largest preview image decoded (4000 × 4000), or CHAT_MEDIA_MAX_PIXELS when that is lower. */
export const PREVIEW_MAX_PIXELS = 16_000_000;

export interface PreviewAssembly {
  config: ChatConfig;
  storage: Storage;
  events: ChatEvents;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

export function openLinkPreviews({
  config,
  storage,
  events,
  clock,
  logger,
  metrics,
}: PreviewAssembly): LinkPreviews | null {
  if (!config.CHAT_LINK_PREVIEWS) return null;
  // Validated by the config schema already.
  const allowPrivate = parseAllowList(config.CHAT_LINK_PREVIEW_UNSAFE_ALLOW);
  if (allowPrivate.size > 0) {
    logger.warn(
      { allowed: [...allowPrivate] },
      'CHAT_LINK_PREVIEW_UNSAFE_ALLOW is set: link previews may fetch these private addresses (tests only)',
    );
  }
  const previews = new LinkPreviews({
    store: storage.previews,
    messages: storage.messages,
    conversations: storage.conversations,
    // The media blob store (a second handle on it): preview images live beside media, in their own key space.
    blobs: openBlobStore(config),
    events,
    clock,
    logger,
    metrics: createPreviewMetrics(metrics.registry),
    settings: {
      policy: { allowPrivate },
      limits: DEFAULT_FETCH_LIMITS,
      ttlMs: config.CHAT_LINK_PREVIEW_TTL_SECONDS * 1000,
      failureTtlMs: config.CHAT_LINK_PREVIEW_FAILURE_TTL_SECONDS * 1000,
      // A 1 MB file may still decode to a huge bitmap: previews stay well below upload sizes.
      maxPixels: Math.min(config.CHAT_MEDIA_MAX_PIXELS, PREVIEW_MAX_PIXELS),
    },
  });
  previews.start();
  return previews;
}
