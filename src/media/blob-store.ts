/**
 * Where media bytes live. Content-addressed: a blob's key is the SHA-256 (hex)
 * of its bytes, so identical bytes are stored once and a key never changes
 * meaning. Implementations: the local filesystem under the data folder (one
 * node, the default) and S3-compatible object storage (several nodes).
 */
import type { Readable } from 'node:stream';

/** An inclusive byte range, as in HTTP: bytes start..end. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobStore {
  /** "filesystem" or "s3", for logs. */
  readonly kind: string;

  /**
   * Stores the file at `sourcePath` (which stays where it is) under `key`,
   * durably before it resolves. Putting a key that exists is harmless: the
   * bytes are the same.
   */
  put(key: string, sourcePath: string, contentType: string): Promise<void>;

  /** The blob's size in bytes, or null when it does not exist. */
  size(key: string): Promise<number | null>;

  /** The blob's bytes, or only the range; null when it does not exist. */
  read(key: string, range?: ByteRange): Promise<Readable | null>;

  /** Removes the blob; a missing one is fine. */
  delete(key: string): Promise<void>;

  /** Releases clients and handles. */
  close(): Promise<void>;
}

const KEY = /^[0-9a-f]{64}$/;

/** Keys are lowercase hex SHA-256 digests; anything else never reaches a path or an object name. */
export function assertBlobKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`invalid blob key ${JSON.stringify(key.slice(0, 80))}`);
}

/** The key's place: two levels of fan-out, so no folder holds millions of files. */
export function blobPath(key: string): string[] {
  assertBlobKey(key);
  return [key.slice(0, 2), key.slice(2, 4), key];
}
