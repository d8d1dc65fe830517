/**
 * Where a preview fetch may go: an http(s) URL whose host is a public address,
 * or a name all of whose DNS answers are public. The address checked is the
 * one connected to (fetch.ts pins it), so a second lookup cannot swap in
 * another one (DNS rebinding).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { refusalOf } from './address.js';

/** A refusal of the policy (not a network failure): cached like one, never retried. */
export class RefusedTarget extends Error {
  override name = 'RefusedTarget';
}

export interface ResolvedTarget {
  url: URL;
  /** The checked address to connect to. */
  address: string;
  family: 4 | 6;
  port: number;
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface TargetPolicy {
  /**
   * `address:port` pairs (IP literals as written in a URL: `127.0.0.1:8080`,
   * `[::1]:8080`) reached although private. For tests only: each one opens
   * that address and port to every user who can send a link.
   */
  allowPrivate: ReadonlySet<string>;
  resolve?: Resolver;
}

/** Normalises `CHAT_LINK_PREVIEW_UNSAFE_ALLOW` entries; throws on one that is not an IP literal with a port. */
export function parseAllowList(entries: readonly string[]): Set<string> {
  const allowed = new Set<string>();
  for (const entry of entries) {
    const match = entry.match(/^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/);
    const host = match?.[1] ?? '';
    const port = Number(match?.[2]);
    if (!match || !isIP(host.replace(/^\[|\]$/g, '')) || port < 1 || port > 65535) {
      throw new Error(`"${entry}" is not an IP address with a port (e.g. 127.0.0.1:8080)`);
    }
    // As the URL parser writes the host, which is what resolveTarget compares.
    allowed.add(`${new URL(`http://${host}/`).hostname}:${port}`);
  }
  return allowed;
}

export function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Checks the URL and its host's addresses; rejects with RefusedTarget when the policy refuses it. */
export async function resolveTarget(url: URL, policy: TargetPolicy): Promise<ResolvedTarget> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RefusedTarget(`only http and https URLs are fetched, not ${url.protocol}`);
  }
  const port = defaultPort(url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new RefusedTarget('the URL has no host');
  const literal = isIP(host);
  if (literal !== 0) {
    const allowed = policy.allowPrivate.has(`${url.hostname}:${port}`);
    const refusal = allowed ? null : refusalOf(host);
    if (refusal) throw new RefusedTarget(`${host} is a ${refusal} address`);
    return { url, address: host, family: literal === 4 ? 4 : 6, port };
  }
  let answers: { address: string; family: number }[];
  try {
    answers = await (policy.resolve ?? systemResolver)(host);
  } catch (error) {
    throw new Error(`could not resolve ${host}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (answers.length === 0) throw new Error(`${host} has no address`);
  // Every answer must be public: a name mixing public and private answers is refused outright.
  for (const answer of answers) {
    const refusal = refusalOf(answer.address);
    if (refusal) throw new RefusedTarget(`${host} resolves to ${answer.address}, a ${refusal} address`);
  }
  const chosen = answers[0] as { address: string; family: number };
  return { url, address: chosen.address, family: chosen.family === 6 ? 6 : 4, port };
}
