/** Test support: uploads and raw downloads against a test server. */
import type { Media } from '../protocol/dto.js';
import { multipart, type Part } from './media-fixtures.js';
import type { ApiResponse, TestServer, TestUser } from './server.js';

export interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
  /** The parsed error body of a non-2xx JSON answer. */
  json: unknown;
}

export async function upload(
  server: TestServer,
  user: TestUser | null,
  parts: Part | Part[],
  headers: Record<string, string> = {},
): Promise<ApiResponse<{ media: Media } & Record<string, unknown>>> {
  const { body, contentType } = multipart([parts].flat());
  return server.api.request('POST', '/api/v1/media', {
    ...(user ? { token: user.token } : {}),
    rawBody: body,
    headers: { 'content-type': contentType, ...headers },
  });
}

/** Uploads and asserts a 201; the media DTO. */
export async function uploaded(server: TestServer, user: TestUser, part: Part): Promise<Media> {
  const res = await upload(server, user, part);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.media;
}

export async function download(
  server: TestServer,
  user: TestUser | null,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Download> {
  const response = await fetch(server.url + path, {
    method,
    headers: { ...(user ? { authorization: `Bearer ${user.token}` } : {}), ...headers },
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  let json: unknown = null;
  if (response.headers.get('content-type')?.includes('application/json') && bytes.length > 0) {
    json = JSON.parse(bytes.toString('utf8'));
  }
  return { status: response.status, headers: response.headers, bytes, json };
}
