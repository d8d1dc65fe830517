/** Time and ids come from here so tests can fix them and every id has one shape. */
import { randomUUID } from 'node:crypto';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function newId(): string {
  return randomUUID();
}
