/**
 * What link previews keep: a cache of fetched previews keyed by normalised
 * URL (failures too, with a shorter life), and the preview each message got.
 * Implemented for SQLite (embedded) and PostgreSQL (scale-out); every write is
 * durable before it resolves.
 */

/** The re-encoded preview image, a blob in the media blob store. */
export interface PreviewImageRecord {
  /** Blob key (see PreviewImages: SHA-256 of the bytes in the previews' own namespace). */
  key: string;
  mimeType: string;
  size: number;
  width: number;
  height: number;
}

export interface PreviewContent {
  /** The link as found in the message, normalised. */
  url: string;
  /** Its host name, as shown on the card. */
  host: string;
  title: string | null;
  description: string | null;
  image: PreviewImageRecord | null;
}

export interface CachedPreview {
  urlKey: string;
  /** null: the fetch failed or found nothing to show (`error` says why). */
  preview: PreviewContent | null;
  error: string | null;
  fetchedAt: string;
  expiresAt: string;
}

export interface MessagePreviewRecord {
  messageId: string;
  conversationId: string;
  preview: PreviewContent;
  createdAt: string;
}

export interface LinkPreviewStore {
  /** The entry for the URL unless it expired by `now` (ISO time), or null. */
  cached(urlKey: string, now: string): Promise<CachedPreview | null>;
  /** Stores or replaces the URL's entry. */
  putCached(entry: CachedPreview): Promise<void>;
  /** Records (or replaces) the message's preview. */
  attach(record: MessagePreviewRecord): Promise<void>;
  /** The previews of those of `messageIds` that have one, in one query whatever the count. */
  ofMessages(messageIds: readonly string[]): Promise<MessagePreviewRecord[]>;
  /** Deletes up to `limit` cache entries expired by `now`; resolves with how many. */
  deleteExpired(now: string, limit: number): Promise<number>;
}
