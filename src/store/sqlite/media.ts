/** MediaStore on SQLite, and the batch lookup that attaches media to message reads. */

import { StoreError } from '../errors.js';
import {
  attachFound,
  MEDIA_COLUMNS,
  type MediaRow,
  mediaIdsOf,
  mediaValues,
  storedBytes,
  toMedia,
} from '../media-rows.js';
import type { MediaRecord, MessageRecord, NewMedia } from '../records.js';
import type { CreatedMedia, MediaStore } from '../stores.js';
import { type Db, type Observe, timed } from './database.js';

/** Loads the media of a page of messages in one statement. */
export class MediaLoader {
  private readonly byIds;

  constructor(db: Db) {
    this.byIds = db.prepare<[string], MediaRow>(
      `SELECT ${MEDIA_COLUMNS} FROM media WHERE id IN (SELECT value FROM json_each(?))`,
    );
  }

  attach<T extends MessageRecord>(messages: T[]): T[] {
    const ids = mediaIdsOf(messages);
    if (ids.length === 0) return messages;
    const found = new Map(this.byIds.all(JSON.stringify(ids)).map((row) => [row.id, toMedia(row)]));
    return attachFound(messages, found);
  }

  attachOne<T extends MessageRecord>(message: T): T;
  attachOne<T extends MessageRecord>(message: T | null): T | null;
  attachOne<T extends MessageRecord>(message: T | null): T | null {
    if (message) this.attach([message]);
    return message;
  }
}

export class SqliteMediaStore implements MediaStore {
  private readonly statements;
  private readonly createTransaction;

  constructor(
    db: Db,
    private readonly observe?: Observe,
  ) {
    const placeholders = MEDIA_COLUMNS.split(',')
      .map(() => '?')
      .join(', ');
    this.statements = {
      insert: db.prepare(`INSERT INTO media (${MEDIA_COLUMNS}) VALUES (${placeholders})`),
      byId: db.prepare<[string], MediaRow>(`SELECT ${MEDIA_COLUMNS} FROM media WHERE id = ?`),
      byHash: db.prepare<[string, string], MediaRow>(
        `SELECT ${MEDIA_COLUMNS} FROM media WHERE uploader_id = ? AND sha256 = ?`,
      ),
      touch: db.prepare<[string, string, string], MediaRow>(
        `UPDATE media SET last_used_at = max(last_used_at, ?) WHERE id = ? AND uploader_id = ?
         RETURNING ${MEDIA_COLUMNS}`,
      ),
      usage: db
        .prepare<[string], number>(
          'SELECT coalesce(sum(size + coalesce(thumbnail_size, 0)), 0) FROM media WHERE uploader_id = ?',
        )
        .pluck(),
      canRead: db.prepare<{ mediaId: string; userId: string }, { one: number }>(
        `SELECT 1 AS one FROM media WHERE id = @mediaId AND uploader_id = @userId
         UNION ALL
         SELECT 1 AS one FROM messages m
           JOIN memberships mb ON mb.conversation_id = m.conversation_id AND mb.user_id = @userId
          WHERE m.media_id = @mediaId
            AND m.deleted_at IS NULL
            AND m.seq >= mb.visible_from_seq
            AND (mb.visible_to_seq IS NULL OR m.seq <= mb.visible_to_seq)
         LIMIT 1`,
      ),
      deleteUnreferenced: db.prepare<[string, number], MediaRow>(
        `DELETE FROM media WHERE id IN (
           SELECT md.id FROM media md
            WHERE md.last_used_at < ?
              AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.media_id = md.id)
            ORDER BY md.last_used_at
            LIMIT ?)
         RETURNING ${MEDIA_COLUMNS}`,
      ),
      blobInUse: db.prepare<[string, string], { one: number }>(
        'SELECT 1 AS one FROM media WHERE blob_key = ? UNION ALL SELECT 1 FROM media WHERE thumbnail_key = ? LIMIT 1',
      ),
    };
    // One writer at a time (IMMEDIATE): the quota check and the insert see the same usage.
    this.createTransaction = db.transaction((media: NewMedia, quotaBytes: number): CreatedMedia => {
      const existing = this.statements.byHash.get(media.uploaderId, media.sha256);
      if (existing) {
        const touched = this.statements.touch.get(media.createdAt, existing.id, media.uploaderId);
        return { media: toMedia(touched ?? existing), created: false };
      }
      const usage = this.statements.usage.get(media.uploaderId) ?? 0;
      if (usage + storedBytes(media) > quotaBytes) {
        throw new StoreError('quota_exceeded', `storage quota of ${quotaBytes} bytes exceeded (${usage} used)`);
      }
      this.statements.insert.run(...mediaValues(media));
      const row = this.statements.byId.get(media.id);
      if (!row) throw new Error(`media ${media.id} vanished after insert`);
      return { media: toMedia(row), created: true };
    }).immediate;
  }

  create(media: NewMedia, quotaBytes: number): Promise<CreatedMedia> {
    return timed(this.observe, 'media.create', () => this.createTransaction(media, quotaBytes));
  }

  byId(id: string): Promise<MediaRecord | null> {
    return timed(this.observe, 'media.byId', () => {
      const row = this.statements.byId.get(id);
      return row ? toMedia(row) : null;
    });
  }

  byHash(uploaderId: string, sha256: string): Promise<MediaRecord | null> {
    return timed(this.observe, 'media.byHash', () => {
      const row = this.statements.byHash.get(uploaderId, sha256);
      return row ? toMedia(row) : null;
    });
  }

  touch(id: string, uploaderId: string, at: string): Promise<MediaRecord | null> {
    return timed(this.observe, 'media.touch', () => {
      const row = this.statements.touch.get(at, id, uploaderId);
      return row ? toMedia(row) : null;
    });
  }

  usage(uploaderId: string): Promise<number> {
    return timed(this.observe, 'media.usage', () => this.statements.usage.get(uploaderId) ?? 0);
  }

  canRead(mediaId: string, userId: string): Promise<boolean> {
    return timed(this.observe, 'media.canRead', () => !!this.statements.canRead.get({ mediaId, userId }));
  }

  deleteUnreferenced(cutoff: string, limit: number): Promise<MediaRecord[]> {
    return timed(this.observe, 'media.deleteUnreferenced', () => {
      const max = Math.floor(limit);
      if (!(max > 0)) return [];
      return this.statements.deleteUnreferenced.all(cutoff, max).map(toMedia);
    });
  }

  blobInUse(key: string): Promise<boolean> {
    return timed(this.observe, 'media.blobInUse', () => !!this.statements.blobInUse.get(key, key));
  }
}
