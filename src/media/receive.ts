/**
 * Receives an upload: streams it to a temporary file while hashing and
 * counting, so no file is ever held in memory whole, and stops as soon as it
 * passes the size limit.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChatError } from '../protocol/errors.js';

export interface ReceivedFile {
  path: string;
  size: number;
  /** SHA-256 (hex) of the bytes. */
  sha256: string;
}

export function tooLarge(maxBytes: number): ChatError {
  return new ChatError('payload_too_large', `files are limited to ${maxBytes} bytes`);
}

/**
 * Writes `source` to `path` (created, never overwritten). Rejects with
 * payload_too_large past `maxBytes`, or when the source reports its own size
 * limit (busboy's 'limit' event), and removes the partial file.
 */
export async function receiveToFile(source: Readable, path: string, maxBytes: number): Promise<ReceivedFile> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      size += chunk.length;
      if (size > maxBytes) {
        callback(tooLarge(maxBytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const onLimit = () => meter.destroy(tooLarge(maxBytes));
  source.once('limit', onLimit);
  try {
    await pipeline(source, meter, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  } finally {
    source.off('limit', onLimit);
  }
  // busboy may mark a file truncated without the event reaching us first.
  if ((source as Readable & { truncated?: boolean }).truncated === true) {
    await rm(path, { force: true });
    throw tooLarge(maxBytes);
  }
  return { path, size, sha256: hash.digest('hex') };
}

/** SHA-256 (hex) and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { sha256: hash.digest('hex'), size };
}
