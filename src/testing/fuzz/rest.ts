/**
 * REST fuzzing from the route schemas: every registered route gets requests
 * whose path parameters, query and body are drawn from its zod schema (as JSON
 * Schema), mixed with hostile values, path tricks and other users' ids, from
 * callers with and without a token. No answer may be a 5xx; every error has the
 * contract's body with a registered code; an outsider never gets a 2xx on
 * someone else's conversation or message.
 */
import fc from 'fast-check';
import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { ERROR_CODES } from '../../protocol/errors.js';
import type { Api, TestUser } from '../server.js';
import { nastyNumber, nastyString, nastyValue } from './adversarial.js';
import { checkProperty, type PropertyRun } from './property.js';
import type { FuzzTally } from './target.js';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

export interface RestWorld {
  api: Api;
  routes: readonly string[];
  schemas: ReadonlyMap<string, FastifySchema>;
  alice: TestUser;
  outsider: TestUser;
  /** Ids the outsider must never read through (alice's conversations and messages). */
  privateIds: readonly string[];
  /** Other ids worth trying (users). */
  publicIds: readonly string[];
}

function jsonSchema(schema: unknown): JsonSchema | null {
  if (!(schema instanceof z.ZodType)) return null;
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return null;
  }
}

/** A value that fits the JSON Schema type, most of the time; hostile otherwise. */
function valueFor(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 3) return nastyValue;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((v) => valueFor(v, depth + 1)));
  if (schema.enum?.length) return fc.oneof(fc.constantFrom(...schema.enum), nastyValue);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const fitting: fc.Arbitrary<unknown> =
    type === 'string'
      ? fc.oneof(fc.string({ maxLength: 40 }), nastyString)
      : type === 'integer' || type === 'number'
        ? nastyNumber
        : type === 'boolean'
          ? fc.boolean()
          : type === 'array'
            ? fc.array(valueFor(schema.items, depth + 1), { maxLength: 5 })
            : type === 'object'
              ? objectFor(schema, depth + 1)
              : nastyValue;
  return fc.oneof({ weight: 4, arbitrary: fitting }, { weight: 1, arbitrary: nastyValue });
}

function objectFor(schema: JsonSchema, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(schema.properties ?? {});
  return fc
    .tuple(
      fc.record(Object.fromEntries(properties.map(([key, sub]) => [key, valueFor(sub, depth)])), {
        requiredKeys: [],
      }),
      fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'x'), nastyValue, { maxKeys: 1 }),
    )
    .map(([body, extra]) => {
      const out: Record<string, unknown> = { ...body };
      for (const [key, value] of Object.entries(extra)) Object.defineProperty(out, key, { value, enumerable: true });
      return out;
    });
}

const pathTricks = fc.constantFrom(
  '..%2F..%2Fhealthz',
  '%00',
  '%2e%2e',
  '.',
  '%ZZ',
  'a'.repeat(3_000),
  '%F0%9F%98',
  '%ED%A0%80',
  '*',
);

/** Every byte percent-encoded (encodeURIComponent refuses lone surrogates). */
const percentEncode = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

export async function fuzzRest(world: RestWorld, run: PropertyRun, tally: FuzzTally): Promise<void> {
  const routes = world.routes.filter((r) => r !== 'GET /api/v1/ws');
  const idValue = fc.oneof(
    fc.constantFrom(...world.privateIds, ...world.publicIds),
    fc.uuid(),
    nastyString.map(percentEncode),
    pathTricks,
  );
  const request = fc.constantFrom(...routes).chain((route) => {
    const [method = 'GET', pattern = '/'] = route.split(' ');
    // Wildcard routes (`GET /*`, the CORS preflight `OPTIONS *`) get a concrete path.
    const url = pattern === '*' ? '/api/v1/users/me' : pattern.replace('*', 'some/path');
    const schema = world.schemas.get(route) ?? {};
    const query = jsonSchema(schema.querystring);
    const body = jsonSchema(schema.body);
    const params = [...url.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
    return fc.record({
      method: fc.constant(method),
      url: fc.constant(url),
      params: fc.tuple(...params.map(() => idValue), fc.constant('')),
      query: query ? objectFor(query) : fc.constant({}),
      body: fc.oneof(
        { weight: 5, arbitrary: body ? objectFor(body) : fc.constant(undefined) },
        { weight: 1, arbitrary: nastyValue },
        { weight: 1, arbitrary: fc.constantFrom('{', 'not json', '{"a":1}{', '\u0000') },
      ),
      caller: fc.constantFrom('alice', 'outsider', 'none', 'garbage'),
    });
  });
  await checkProperty(
    fc.asyncProperty(request, async (r) => {
      tally.inputs++;
      let path = r.url;
      for (const value of r.params.slice(0, -1)) path = path.replace(/:\w+/, String(value));
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(r.query)) {
        search.append(key, typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
      }
      const qs = search.toString();
      const token =
        r.caller === 'alice'
          ? world.alice.token
          : r.caller === 'outsider'
            ? world.outsider.token
            : r.caller === 'garbage'
              ? 'eyJhbGciOiJub25lIn0.e30.'
              : undefined;
      const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'DELETE';
      const res = await world.api.request(r.method, qs ? `${path}?${qs}` : path, {
        ...(token ? { token } : {}),
        ...(hasBody ? (typeof r.body === 'string' ? { rawBody: r.body } : { body: r.body }) : {}),
      });
      if (res.status >= 500) {
        tally.serverErrors++;
        throw new Error(`${r.method} ${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      }
      if (res.status >= 400) {
        const code = (res.body as { error?: { code?: unknown } })?.error?.code;
        if (typeof code !== 'string' || !(code in ERROR_CODES)) {
          throw new Error(`${r.method} ${path} answered ${res.status} without the error body`);
        }
        if (res.status === 429 && !res.headers.get('retry-after')) {
          throw new Error(`${r.method} ${path} answered 429 without Retry-After`);
        }
      }
      // Routes that read or change a conversation or message by id: an outsider gets 403/404 there, never 2xx.
      const guarded = /\/(conversations|messages|groups|media|search)\b/.test(r.url);
      const touchesPrivate = world.privateIds.some((id) => path.includes(id) || qs.includes(id));
      if (r.caller === 'outsider' && guarded && touchesPrivate && res.status < 300) {
        throw new Error(`outsider got ${res.status} on ${r.method} ${path}`);
      }
    }),
    run,
  );
}
