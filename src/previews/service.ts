/**
 * Link previews, asynchronously: a new message with an http(s) link is
 * acknowledged without waiting; its preview is fetched in the background
 * (cached by normalised URL, failures briefly too, so a URL shared twice is
 * fetched once), stored with the message and announced to the members who can
 * see it as a `message.preview` event. History reads attach the stored
 * previews; the preview image is served to those same members.
 */
import type { Readable } from 'node:stream';
import { canSee } from '../domain/access.js';
import type { Clock } from '../domain/clock.js';
import type { ChatEvent, ChatEvents } from '../domain/events.js';
import type { BlobStore } from '../media/blob-store.js';
import type { Logger } from '../observability/logger.js';
import type { LinkPreview } from '../protocol/dto.js';
import { ChatError } from '../protocol/errors.js';
import type { MessageRecord } from '../store/records.js';
import type { ConversationStore, MessageStore } from '../store/stores.js';
import type { FetchLimits } from './fetch.js';
import { fetchPreview } from './fetch-preview.js';
import type { PreviewMetrics, PreviewOutcome } from './metrics.js';
import type { LinkPreviewStore, PreviewContent, PreviewImageRecord } from './store/store.js';
import { RefusedTarget, type TargetPolicy } from './target.js';
import { cacheKey, firstUrl } from './url.js';

export interface LinkPreviewSettings {
  policy: TargetPolicy;
  limits: FetchLimits;
  /** How long a fetched preview is reused. */
  ttlMs: number;
  /** How long a failure is remembered (not retried). */
  failureTtlMs: number;
  maxPixels: number;
  /** Previews fetched at once (default 4); more wait, up to maxQueued (default 1000), then are skipped. */
  concurrency?: number;
  maxQueued?: number;
}

export interface LinkPreviewDeps {
  store: LinkPreviewStore;
  messages: MessageStore;
  conversations: ConversationStore;
  blobs: BlobStore;
  events: ChatEvents;
  clock: Clock;
  logger: Logger;
  settings: LinkPreviewSettings;
  metrics?: PreviewMetrics;
}

const CLEANUP_BATCH = 500;

export class LinkPreviews {
  private readonly inFlight = new Map<string, Promise<PreviewContent | null>>();
  private readonly pending: MessageRecord[] = [];
  private readonly running = new Set<Promise<void>>();
  private unsubscribe: (() => void) | undefined;
  private cleaner: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Aborts the fetches in flight at close: a drain does not wait out their deadlines. */
  private readonly stopping = new AbortController();

  constructor(private readonly deps: LinkPreviewDeps) {}

  /** Starts previewing new messages, and an hourly cleanup of expired cache entries. */
  start(): void {
    this.unsubscribe ??= this.deps.events.subscribe((event) => this.onEvent(event));
    this.cleaner ??= setInterval(() => {
      this.deps.store
        .deleteExpired(this.deps.clock.now().toISOString(), CLEANUP_BATCH)
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'link preview cache cleanup failed'));
    }, 3600_000);
    this.cleaner.unref();
  }

  /** Stops taking messages and waits for the previews being fetched (each ends within its deadline). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.unsubscribe?.();
      if (this.cleaner) clearInterval(this.cleaner);
      this.pending.length = 0;
      this.stopping.abort();
      await Promise.allSettled([...this.running]);
      await this.deps.blobs.close();
    })();
    return this.closing;
  }

  /** Resolves once nothing is queued or being fetched (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private onEvent(event: ChatEvent): void {
    if (event.type !== 'message.created' || event.repeat || this.closed) return;
    const { message } = event;
    if (message.type === 'system' || !firstUrl(message.content)) return;
    if (this.pending.length >= (this.deps.settings.maxQueued ?? 1000)) {
      this.deps.logger.warn({ messageId: message.id }, 'link preview queue full: preview skipped');
      return;
    }
    this.pending.push(message);
    this.pump();
  }

  private pump(): void {
    while (this.running.size < (this.deps.settings.concurrency ?? 4) && this.pending.length > 0) {
      const message = this.pending.shift() as MessageRecord;
      const work = this.previewMessage(message).then(
        () => {},
        (err: unknown) => this.deps.logger.error({ err, messageId: message.id }, 'link preview failed'),
      );
      this.running.add(work);
      void work.finally(() => {
        this.running.delete(work);
        this.pump();
      });
    }
  }

  /** Fetches (or reuses) the preview of the message's first link, stores it with the message and announces it. */
  async previewMessage(message: MessageRecord): Promise<LinkPreview | null> {
    const url = firstUrl(message.content);
    if (!url) return null;
    const content = await this.previewOf(url);
    if (!content || this.closed) return null;
    // Deleted while the page was fetched: it shows no preview, so none is announced.
    const current = await this.deps.messages.byId(message.id);
    if (!current || current.deletedAt !== null) return null;
    await this.deps.store.attach({
      messageId: message.id,
      conversationId: message.conversationId,
      preview: content,
      createdAt: this.deps.clock.now().toISOString(),
    });
    const preview = toLinkPreview(message.id, content);
    const conversation = await this.deps.conversations.byId(message.conversationId);
    const recipientIds = (conversation?.members ?? []).filter((m) => canSee(m, message.seq)).map((m) => m.userId);
    this.deps.events.emit({
      type: 'message.preview',
      conversationId: message.conversationId,
      messageId: message.id,
      seq: message.seq,
      preview,
      recipientIds,
    });
    return preview;
  }

  /** The cached preview of the URL, or one fetched now (once per URL and node at a time). */
  private async previewOf(url: URL): Promise<PreviewContent | null> {
    const key = cacheKey(url);
    const now = this.deps.clock.now();
    const cached = await this.deps.store.cached(key, now.toISOString());
    if (cached) {
      this.count('cached');
      return cached.preview;
    }
    let fetching = this.inFlight.get(key);
    if (fetching) this.count('cached');
    else {
      fetching = this.fetchAndCache(url, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, fetching);
    }
    return fetching;
  }

  private async fetchAndCache(url: URL, key: string): Promise<PreviewContent | null> {
    const { settings, logger } = this.deps;
    let preview: PreviewContent | null = null;
    let error: string | null = null;
    const started = performance.now();
    try {
      preview = await fetchPreview(url, {
        policy: settings.policy,
        limits: settings.limits,
        blobs: this.deps.blobs,
        maxPixels: settings.maxPixels,
        onImageFailure: (imageUrl, err) => logger.info({ err, url: imageUrl }, 'link preview image skipped'),
        signal: this.stopping.signal,
      });
      this.count('fetched');
    } catch (err) {
      this.count(err instanceof RefusedTarget ? 'refused' : 'failed');
      error = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : String(err).slice(0, 500);
      logger.info({ url: url.href, error }, 'no link preview');
    }
    this.deps.metrics?.fetchSeconds.observe((performance.now() - started) / 1000);
    // Cut short by close(): not the URL's fault, so nothing is cached.
    if (this.closed) return null;
    const fetchedAt = this.deps.clock.now();
    const ttl = preview ? settings.ttlMs : settings.failureTtlMs;
    await this.deps.store.putCached({
      urlKey: key,
      preview,
      error,
      fetchedAt: fetchedAt.toISOString(),
      expiresAt: new Date(fetchedAt.getTime() + ttl).toISOString(),
    });
    return preview;
  }

  private count(outcome: PreviewOutcome): void {
    this.deps.metrics?.outcomes.inc({ outcome });
  }

  /** The stored previews of these messages (deleted ones have none), by message id. */
  async forMessages(messages: readonly { id: string; deletedAt: string | null }[]): Promise<Map<string, LinkPreview>> {
    const ids = messages.filter((m) => m.deletedAt === null).map((m) => m.id);
    const records = await this.deps.store.ofMessages(ids);
    return new Map(records.map((r) => [r.messageId, toLinkPreview(r.messageId, r.preview)]));
  }

  /**
   * The preview image of a message, for a member (current or past) whose
   * window holds it; not_found for anyone else, as for a message without one.
   */
  async openImage(callerId: string, messageId: string): Promise<PreviewImageRecord> {
    const message = await this.deps.messages.byId(messageId);
    const membership = message ? await this.deps.conversations.membership(message.conversationId, callerId) : null;
    if (!message || !membership || !canSee(membership, message.seq) || message.deletedAt !== null) {
      throw new ChatError('not_found', 'message not found');
    }
    const [record] = await this.deps.store.ofMessages([messageId]);
    if (!record?.preview.image) throw new ChatError('not_found', 'this message has no preview image');
    return record.preview.image;
  }

  async readImage(image: PreviewImageRecord): Promise<Readable> {
    const stream = await this.deps.blobs.read(image.key);
    if (!stream) {
      this.deps.logger.error({ key: image.key }, 'preview image missing from the blob store');
      throw new ChatError('not_found', 'this message has no preview image');
    }
    return stream;
  }
}

/** The wire shape: the image as a URL under the message, never its blob key. */
export function toLinkPreview(messageId: string, content: PreviewContent): LinkPreview {
  const { image } = content;
  return {
    url: content.url,
    host: content.host,
    title: content.title,
    description: content.description,
    image: image
      ? {
          url: `/api/v1/messages/${encodeURIComponent(messageId)}/preview/image`,
          mimeType: image.mimeType,
          width: image.width,
          height: image.height,
          size: image.size,
        }
      : null,
  };
}
