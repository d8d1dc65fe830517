/** MediaStore on PostgreSQL, and the batch lookup that attaches media to message reads. */
import type pg from 'pg';
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
import { type Observe, type Queryable, timed, transaction } from './pool.js';

/** Attaches the media of the messages with one query (none when no message carries media). */
export async function attachMedia<T extends MessageRecord>(db: Queryable, messages: T[]): Promise<T[]> {
  const ids = mediaIdsOf(messages);
  if (ids.length === 0) return messages;
  const { rows } = await db.query<MediaRow>(`SELECT ${MEDIA_COLUMNS} FROM media WHERE id = ANY($1::text[])`, [ids]);
  return attachFound(messages, new Map(rows.map((row) => [row.id, toMedia(row)])));
}

export async function attachMediaOne<T extends MessageRecord>(db: Queryable, message: T | null): Promise<T | null> {
  if (message) await attachMedia(db, [message]);
  return message;
}

const INSERT = `INSERT INTO media (${MEDIA_COLUMNS})
  VALUES (${MEDIA_COLUMNS.split(',')
    .map((_, i) => `$${i + 1}`)
    .join(', ')})
  RETURNING ${MEDIA_COLUMNS}`;

const TOUCH = `UPDATE media SET last_used_at = greatest(last_used_at, $1) WHERE id = $2 AND uploader_id = $3
  RETURNING ${MEDIA_COLUMNS}`;

export class PostgresMediaStore implements MediaStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observe?: Observe,
  ) {}

  create(media: NewMedia, quotaBytes: number): Promise<CreatedMedia> {
    return timed(this.observe, 'media.create', () =>
      transaction(this.pool, async (client) => {
        // One uploader's creates take turns, on every node: the quota check and
        // the insert see the same usage, and a repeat finds the first row.
        await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('chat-media:' || $1, 0))`, [
          media.uploaderId,
        ]);
        const existing = await client.query<MediaRow>(
          `SELECT ${MEDIA_COLUMNS} FROM media WHERE uploader_id = $1 AND sha256 = $2`,
          [media.uploaderId, media.sha256],
        );
        const found = existing.rows[0];
        if (found) {
          const touched = await client.query<MediaRow>(TOUCH, [media.createdAt, found.id, media.uploaderId]);
          return { media: toMedia(touched.rows[0] ?? found), created: false };
        }
        const usage = await usageOf(client, media.uploaderId);
        if (usage + storedBytes(media) > quotaBytes) {
          throw new StoreError('quota_exceeded', `storage quota of ${quotaBytes} bytes exceeded (${usage} used)`);
        }
        const { rows } = await client.query<MediaRow>(INSERT, mediaValues(media));
        const row = rows[0];
        if (!row) throw new Error(`media ${media.id} was not inserted`);
        return { media: toMedia(row), created: true };
      }),
    );
  }

  byId(id: string): Promise<MediaRecord | null> {
    return timed(this.observe, 'media.byId', () => this.one(`SELECT ${MEDIA_COLUMNS} FROM media WHERE id = $1`, [id]));
  }

  byHash(uploaderId: string, sha256: string): Promise<MediaRecord | null> {
    return timed(this.observe, 'media.byHash', () =>
      this.one(`SELECT ${MEDIA_COLUMNS} FROM media WHERE uploader_id = $1 AND sha256 = $2`, [uploaderId, sha256]),
    );
  }

  touch(id: string, uploaderId: string, at: string): Promise<MediaRecord | null> {
    return timed(this.observe, 'media.touch', () => this.one(TOUCH, [at, id, uploaderId]));
  }

  usage(uploaderId: string): Promise<number> {
    return timed(this.observe, 'media.usage', () => usageOf(this.pool, uploaderId));
  }

  canRead(mediaId: string, userId: string): Promise<boolean> {
    return timed(this.observe, 'media.canRead', async () => {
      const { rows } = await this.pool.query<{ ok: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM media WHERE id = $1 AND uploader_id = $2)
             OR EXISTS (SELECT 1 FROM messages m
                          JOIN memberships mb ON mb.conversation_id = m.conversation_id AND mb.user_id = $2
                         WHERE m.media_id = $1
                           AND m.deleted_at IS NULL
                           AND m.seq >= mb.visible_from_seq
                           AND (mb.visible_to_seq IS NULL OR m.seq <= mb.visible_to_seq)) AS ok`,
        [mediaId, userId],
      );
      return rows[0]?.ok === true;
    });
  }

  deleteUnreferenced(cutoff: string, limit: number): Promise<MediaRecord[]> {
    return timed(this.observe, 'media.deleteUnreferenced', async () => {
      const max = Math.floor(limit);
      if (!(max > 0)) return [];
      // Rows a touch holds are skipped; one touched meanwhile fails the recheck.
      const { rows } = await this.pool.query<MediaRow>(
        `DELETE FROM media d
          WHERE d.id IN (SELECT md.id FROM media md
                          WHERE md.last_used_at < $1
                            AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.media_id = md.id)
                          ORDER BY md.last_used_at
                          LIMIT $2
                          FOR UPDATE SKIP LOCKED)
            AND d.last_used_at < $1
         RETURNING ${MEDIA_COLUMNS}`,
        [cutoff, max],
      );
      return rows.map(toMedia);
    });
  }

  blobInUse(key: string): Promise<boolean> {
    return timed(this.observe, 'media.blobInUse', async () => {
      const { rowCount } = await this.pool.query(
        'SELECT 1 FROM media WHERE blob_key = $1 UNION ALL SELECT 1 FROM media WHERE thumbnail_key = $1 LIMIT 1',
        [key],
      );
      return (rowCount ?? 0) > 0;
    });
  }

  private async one(sql: string, values: unknown[]): Promise<MediaRecord | null> {
    const { rows } = await this.pool.query<MediaRow>(sql, values);
    return rows[0] ? toMedia(rows[0]) : null;
  }
}

async function usageOf(db: Queryable, uploaderId: string): Promise<number> {
  const { rows } = await db.query<{ bytes: string | number }>(
    'SELECT coalesce(sum(size + coalesce(thumbnail_size, 0)), 0) AS bytes FROM media WHERE uploader_id = $1',
    [uploaderId],
  );
  return Number(rows[0]?.bytes ?? 0);
}
