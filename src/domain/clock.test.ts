import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { newId } from './clock.js';

describe('newId', () => {
  it('is a UUIDv7 whose first 48 bits are the current Unix milliseconds', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    assert.ok(z.uuidv7().safeParse(id).success, id);
    const millis = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    assert.ok(millis >= before && millis <= after, `${millis} not in [${before}, ${after}]`);
  });

  it('sorts by creation time across milliseconds and never repeats', async () => {
    const first = Array.from({ length: 1_000 }, newId);
    await sleep(2);
    const later = newId();
    assert.equal(new Set(first).size, first.length);
    assert.ok(first.every((id) => id < later));
  });
});
