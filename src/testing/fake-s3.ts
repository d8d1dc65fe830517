/**
 * Test support: a tiny in-memory S3-compatible server on loopback (path-style
 * PUT, GET with Range, HEAD, DELETE of objects; no authentication), so the S3
 * blob store's own code runs in every test run, not only where a real bucket
 * is configured.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeS3 {
  endpoint: string;
  /** Object names (bucket/key) to bytes. */
  objects: Map<string, Buffer>;
  /** How many requests of each method arrived. */
  requests: Record<string, number>;
  close(): Promise<void>;
}

function notFound(code = 'NoSuchKey'): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>not found</Message></Error>`;
}

export async function startFakeS3(): Promise<FakeS3> {
  const objects = new Map<string, Buffer>();
  const requests: Record<string, number> = {};
  const server: Server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    requests[method] = (requests[method] ?? 0) + 1;
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname.slice(1));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = objects.get(name);
      switch (method) {
        case 'PUT':
          objects.set(name, Buffer.concat(chunks));
          response.writeHead(200, { etag: '"fake"' }).end();
          return;
        case 'DELETE':
          objects.delete(name);
          response.writeHead(204).end();
          return;
        case 'HEAD':
          if (!body) response.writeHead(404).end();
          else response.writeHead(200, { 'content-length': body.length, etag: '"fake"' }).end();
          return;
        case 'GET': {
          if (!body) {
            response.writeHead(404, { 'content-type': 'application/xml' }).end(notFound());
            return;
          }
          const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
          if (range) {
            const start = Number(range[1]);
            const end = Math.min(Number(range[2]), body.length - 1);
            if (start >= body.length || start > end) {
              response.writeHead(416, { 'content-type': 'application/xml' }).end(notFound('InvalidRange'));
              return;
            }
            response
              .writeHead(206, {
                'content-length': end - start + 1,
                'content-range': `bytes ${start}-${end}/${body.length}`,
              })
              .end(body.subarray(start, end + 1));
            return;
          }
          response.writeHead(200, { 'content-length': body.length }).end(body);
          return;
        }
        default:
          response.writeHead(405).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
