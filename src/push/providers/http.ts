/** A small HTTPS JSON client for the providers that speak HTTP/1.1 (FCM and its token endpoint). */
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_ANSWER_BYTES = 64 * 1024;

export function request(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: string; agent?: https.Agent; timeoutMs: number },
): Promise<HttpAnswer> {
  const target = new URL(url);
  const transport = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: options.method,
        headers: options.headers,
        timeout: options.timeoutMs,
        ...(options.agent && target.protocol === 'https:' ? { agent: options.agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // An endless answer must not fill memory: what matters is in the first bytes.
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(options.body);
  });
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
