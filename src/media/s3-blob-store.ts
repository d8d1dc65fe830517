/**
 * Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2 …), so
 * several nodes serve the same media. Object names are content-addressed:
 * `<prefix>ab/cd/abcd…`. Credentials come from the AWS SDK's standard chain
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, instance roles) unless
 * given explicitly.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { type BlobStore, type ByteRange, blobPath } from './blob-store.js';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** For S3-compatible services, e.g. http://127.0.0.1:9000; unset for AWS itself. */
  endpoint?: string;
  /** Prepended to every object name, e.g. "chat/" (default none). */
  prefix?: string;
  /** Explicit credentials (tests); otherwise the SDK's standard chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = typeof err === 'object' && err !== null ? (err as { name?: string }).name : undefined;
  return name === 'NotFound' || name === 'NoSuchKey' || statusOf(err) === 404;
}

export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    const config: S3ClientConfig = {
      region: options.region,
      // Checksums only where S3 requires them: several S3-compatible services
      // refuse the SDK's default streaming (aws-chunked) checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(options.credentials ? { credentials: options.credentials } : {}),
    };
    if (options.endpoint) {
      config.endpoint = options.endpoint;
      // Bucket in the path: S3-compatible services rarely have per-bucket host names.
      config.forcePathStyle = true;
    }
    this.client = new S3Client(config);
  }

  private nameOf(key: string): string {
    return this.prefix + blobPath(key).join('/');
  }

  async put(key: string, sourcePath: string, contentType: string): Promise<void> {
    if ((await this.size(key)) !== null) return;
    const { size } = await stat(sourcePath);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.nameOf(key),
        Body: createReadStream(sourcePath),
        ContentLength: size,
        ContentType: contentType,
      }),
    );
  }

  async size(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.nameOf(key) }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.nameOf(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      const body = object.Body;
      if (body instanceof Readable) return body;
      if (body && typeof (body as { transformToWebStream?: unknown }).transformToWebStream === 'function') {
        const web = (body as { transformToWebStream(): ReadableStream }).transformToWebStream();
        return Readable.fromWeb(web as import('node:stream/web').ReadableStream);
      }
      return Readable.from([]);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.nameOf(key) }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
