/**
 * Reactions and the change stream on the wire (docs/PROTOCOL.md, "Reactions
 * and message changes"). No Node imports: the SDK and the web client use it.
 */
import { z } from 'zod';

/** Largest reaction in UTF-8 bytes: a long ZWJ family or a tagged flag fits, a sentence does not. */
export const REACTION_EMOJI_MAX_BYTES = 64;
/** Reactors one GET answers at most. */
export const REACTORS_PAGE_MAX = 500;

/** Code points an emoji is made of: pictographs, skin tones, joiners, selectors, keycaps, tags, flags. */
const EMOJI_PARTS =
  /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200D|\uFE0F|\u20E3|[\u{E0020}-\u{E007F}]|[0-9#*])+$/u;
/** What makes it an emoji rather than a digit: a pictograph, a flag half or a keycap. */
const EMOJI_CORE = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const utf8 = new TextEncoder();

/** Exactly one emoji grapheme (👍, ❤️, 👨‍👩‍👧, 🇫🇷, 1️⃣ …), at most REACTION_EMOJI_MAX_BYTES. */
export function isReactionEmoji(value: string): boolean {
  if (value.length === 0 || value.length > REACTION_EMOJI_MAX_BYTES) return false;
  if (!value.isWellFormed() || utf8.encode(value).byteLength > REACTION_EMOJI_MAX_BYTES) return false;
  if (!EMOJI_PARTS.test(value) || !EMOJI_CORE.test(value)) return false;
  // A flag is a pair of regional indicators; one alone is a letter, not an emoji.
  const flagHalves = value.match(/\p{Regional_Indicator}/gu)?.length ?? 0;
  if (flagHalves !== 0 && flagHalves !== 2) return false;
  let count = 0;
  for (const _ of graphemes.segment(value)) {
    count += 1;
    if (count > 1) return false;
  }
  return count === 1;
}

export const reactionEmoji = z.string().max(REACTION_EMOJI_MAX_BYTES).refine(isReactionEmoji, 'must be a single emoji');

export const reactBody = z.object({ emoji: reactionEmoji });
export const reactorsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(REACTORS_PAGE_MAX).default(100),
});

/** Counts per emoji, most frequent first; `me` when the caller reacted with it. */
export interface ReactionSummary {
  emoji: string;
  count: number;
  me: boolean;
}

export interface ReactionCount {
  emoji: string;
  count: number;
}

/** PUT / DELETE /messages/{id}/reaction and the `reaction:ack` frame. */
export interface ReactionOutcome {
  conversationId: string;
  messageId: string;
  /** The caller's reaction now; null when removed. */
  emoji: string | null;
  /** The change number it took; null when nothing changed (the same reaction again). */
  changeSeq: number | null;
  reactions: ReactionSummary[];
}

export interface Reactor {
  userId: string;
  emoji: string;
  at: string;
}

/** `message:reaction`: someone set (emoji) or removed (null) their reaction. */
export interface ReactionEvent {
  conversationId: string;
  messageId: string;
  /** The message's seq. */
  seq: number;
  changeSeq: number;
  userId: string;
  emoji: string | null;
  /** The message's counts after the change (not per viewer: `me` is yours to track). */
  reactions: ReactionCount[];
  at: string;
}
