/**
 * A local web site for link preview tests: pages with and without Open Graph
 * tags, an oversized page, a slow one, redirect chains, a redirect to another
 * local server, non-HTML, and images. Counts the requests of every path and
 * how many body bytes each response got out before its connection closed.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface PreviewSite {
  /** http://127.0.0.1:port */
  origin: string;
  port: number;
  /** Requests per path (with query). */
  hits: Map<string, number>;
  /** Paths (with query) whose answer was sent in full. */
  served: Set<string>;
  /** Body bytes written to /big before the client went away. */
  bigBytesWritten(): number;
  /** /big's total size. */
  bigSize: number;
  /** Points /to-elsewhere at this URL (a redirect target). */
  redirectElsewhere: string;
  close(): Promise<void>;
}

export async function startPreviewSite(host = '127.0.0.1'): Promise<PreviewSite> {
  const hits = new Map<string, number>();
  const served = new Set<string>();
  const png = await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .png()
    .toBuffer();
  // Random pixels compress badly: a PNG well over 1 MB.
  const noise = Buffer.alloc(900 * 900 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const hugePng = await sharp(noise, { raw: { width: 900, height: 900, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const bigSize = 8 * 1024 * 1024;
  let bigWritten = 0;
  const sockets = new Set<import('node:net').Socket>();

  const site: PreviewSite = {
    origin: '',
    port: 0,
    hits,
    served,
    bigSize,
    bigBytesWritten: () => bigWritten,
    redirectElsewhere: 'http://127.0.0.1:9/',
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const html = (res: http.ServerResponse, body: string) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    const path = `${url.pathname}${url.search}`;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    res.on('finish', () => served.add(path));
    const redirect = url.pathname.match(/^\/redirect\/(\d+)$/);
    if (redirect) {
      const left = Number(redirect[1]);
      res.writeHead(302, { location: left > 1 ? `/redirect/${left - 1}` : '/og' });
      res.end();
      return;
    }
    switch (url.pathname) {
      case '/og':
      case '/og-slow': {
        const page = `<!doctype html><html><head><title>Fallback title</title>
          <meta property="og:title" content="The OG title">
          <meta property="og:description" content="The OG description &amp; more">
          <meta property="og:image" content="/image.png"></head><body><h1>hello</h1></body></html>`;
        if (url.pathname === '/og') html(res, page);
        else setTimeout(() => html(res, page), 1500);
        return;
      }
      case '/plain':
        html(
          res,
          '<html><head><title> Plain   page </title><meta name="description" content="Described plainly"></head></html>',
        );
        return;
      case '/huge-image-page':
        html(
          res,
          '<head><meta property="og:title" content="Huge image"><meta property="og:image" content="/huge.png">',
        );
        return;
      case '/big': {
        res.writeHead(200, { 'content-type': 'text/html' });
        bigWritten = 0;
        const head = Buffer.from('<html><head><title>Big page</title></head><body>');
        const filler = Buffer.alloc(64 * 1024, 'a');
        const write = () => {
          while (bigWritten < bigSize) {
            const chunk = bigWritten === 0 ? head : filler;
            bigWritten += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', write);
              return;
            }
          }
          res.end();
        };
        res.on('close', () => res.removeAllListeners('drain'));
        write();
        return;
      }
      case '/slow':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head>');
        // Never finishes: the fetch's deadline must end it.
        return;
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"title":"not html"}');
        return;
      case '/to-elsewhere':
        res.writeHead(302, { location: site.redirectElsewhere });
        res.end();
        return;
      case '/image.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
        res.end(png);
        return;
      case '/huge.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(hugePng);
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  site.port = port;
  site.origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return site;
}
