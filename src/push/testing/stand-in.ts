/**
 * Local stand-ins for the push services, for tests: an HTTPS (HTTP/1.1) or
 * HTTP/2 server on 127.0.0.1 with a self-signed certificate made for the run,
 * recording each request and answering what the test scripts.
 */
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** When it arrived (epoch ms). */
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type Responder = (request: RecordedRequest) => Answer | Promise<Answer>;

export interface StandIn {
  url: string;
  /** The certificate to trust (PEM). */
  ca: string;
  requests: RecordedRequest[];
  /** What the next requests get; default 200/201 with an empty body. */
  respond: Responder;
  close(): Promise<void>;
}

let certificate: Promise<{ key: string; cert: string }> | undefined;

/** One certificate per test process: generating an RSA key takes a moment. */
export function localCertificate(): Promise<{ key: string; cert: string }> {
  certificate ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return certificate;
}

export async function startStandIn(kind: 'https' | 'http2', respond?: Responder): Promise<StandIn> {
  const { key, cert } = await localCertificate();
  const requests: RecordedRequest[] = [];
  const standIn: StandIn = {
    url: '',
    ca: cert,
    requests,
    respond: respond ?? (() => ({ status: kind === 'http2' ? 200 : 201 })),
    close: async () => {},
  };
  const handle = async (recorded: RecordedRequest): Promise<Answer> => {
    requests.push(recorded);
    try {
      return await standIn.respond(recorded);
    } catch (error) {
      return { status: 599, body: String(error) };
    }
  };
  if (kind === 'https') {
    const server = https.createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const answer = await handle({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
          at: Date.now(),
        });
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    standIn.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    standIn.close = () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    return standIn;
  }
  const server = http2.createSecureServer({ key, cert });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', async () => {
      const answer = await handle({
        method: String(headers[':method']),
        path: String(headers[':path']),
        headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      });
      if (stream.destroyed) return;
      stream.respond({ ':status': answer.status, 'content-type': 'application/json', ...answer.headers });
      stream.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise((resolve) => {
      for (const session of sessions) session.destroy();
      server.close(() => resolve());
    });
  return standIn;
}
