/**
 * A message's mentions and forwarded flag as both engines store them: columns
 * of the message row, NULL / false when absent. Records carry the fields only
 * when set, so a plain message reads back exactly as it was drafted.
 */
import type { MessageRecord } from './records.js';

export type Annotations = Pick<MessageRecord, 'mentions' | 'forwarded'>;

export function annotations(
  mentions: readonly string[] | null | undefined,
  forwarded: boolean | undefined,
): Annotations {
  return {
    ...(mentions && mentions.length > 0 ? { mentions: [...mentions] } : {}),
    ...(forwarded ? { forwarded: true as const } : {}),
  };
}
