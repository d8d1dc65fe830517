/**
 * fast-check arbitraries for hostile input: the values a protocol fuzzer
 * throws at every field (huge and strange strings, numbers at the edges,
 * prototype keys, wrong types) and whole frames built from them.
 */
import fc from 'fast-check';
import { CLIENT_FRAME_TYPES } from '../../protocol/frames.js';

/** Strings a parser or a database might choke on. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00y',
    '\u202eevil\u202c',
    '\u2066rtl\u2069',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    '%2e%2e%2f',
    "'; DROP TABLE messages; --",
    '<script>alert(1)</script>',
    '\r\nSet-Cookie: x=1',
    '😀'.repeat(100),
    'NaN',
    '-1',
    '9007199254740993',
  ),
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);

/** Numbers at and past the edges of every seq and limit. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, 1, 2 ** 31, 2 ** 53, 2 ** 53 + 1, -(2 ** 53), 1e308, -0, 0.5, Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, with a bias towards the nasty ones. */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyString, fc.constantFrom('__proto__', 'constructor', 'prototype')), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

/**
 * A client frame: a known type with each field possibly replaced by something
 * hostile, or extra keys. `ids` are real conversation ids, so valid frames
 * reach the domain too.
 */
export const hostileFrame = (ids: readonly string[]): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      type: fc.oneof(fc.constantFrom(...CLIENT_FRAME_TYPES), nastyString),
      clientMsgId: fc.oneof(fc.uuid(), nastyValue),
      conversationId: fc.oneof(fc.constantFrom(...ids), fc.uuid(), nastyValue),
      content: fc.oneof(fc.string(), nastyValue),
      seq: fc.oneof(fc.nat(), nastyValue),
      status: fc.oneof(fc.constantFrom('online', 'idle'), nastyValue),
      conversations: fc.oneof(fc.dictionary(fc.uuid(), fc.nat(), { maxKeys: 3 }), nastyValue),
      ref: fc.oneof(fc.string({ maxLength: 10 }), nastyValue),
    })
    .chain((frame) =>
      fc
        .tuple(
          fc.subarray(Object.keys(frame).filter((k) => k !== 'type')),
          fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'extra'), nastyValue, { maxKeys: 2 }),
        )
        .map(([keep, extra]) => {
          const out: Record<string, unknown> = { type: frame.type };
          for (const key of keep) out[key] = frame[key as keyof typeof frame];
          for (const [key, value] of Object.entries(extra))
            Object.defineProperty(out, key, { value, enumerable: true });
          return out;
        }),
    );

/** What goes on the wire: JSON of a hostile frame, or something that is not a frame at all. */
export const hostileText = (ids: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: hostileFrame(ids).map((f) => JSON.stringify(f)) },
    { weight: 1, arbitrary: nastyValue.map((v) => JSON.stringify(v) ?? 'undefined') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'not json',
        '{',
        '[]',
        '[{"type":"ping"}]',
        'null',
        '{"type":"message:send","seq":NaN}',
        '{"type":"message:received","conversationId":"x","seq":9007199254740993}',
        '{"__proto__":{"type":"ping"}}',
        '{"type":"sync","conversations":{"__proto__":1}}',
        '\u0000',
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
