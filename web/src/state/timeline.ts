/** Pure helpers for history windows: merge by id, order by seq, apply a page. */
import type { Message } from '../../../sdk/index.js';
import type { PageMode, Timeline } from './types.js';

export const emptyTimeline: Timeline = {
  messages: [],
  hasOlder: false,
  hasNewer: false,
  loaded: false,
  loading: null,
  seeded: false,
};

/** Union by id (the later list wins for the same id), ascending seq. */
export function mergeMessages(base: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return base as Message[];
  const byId = new Map<string, Message>();
  for (const m of base) byId.set(m.id, m);
  for (const m of incoming) byId.set(m.id, m);
  const bySeq = new Map<number, Message>();
  for (const m of byId.values()) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** A live message: appended unless the window stops short of the newest messages. */
/** Live messages kept for a chat whose history was not read yet (its first page replaces older ones). */
export const UNLOADED_KEEP = 100;

export function addLive(timeline: Timeline | undefined, message: Message): Timeline {
  const current = timeline ?? emptyTimeline;
  if (current.hasNewer) return current;
  const existing = current.messages.find((m) => m.id === message.id);
  if (existing === message) return current;
  const messages = mergeMessages(current.messages, [message]);
  return { ...current, messages: current.loaded ? messages : messages.slice(-UNLOADED_KEEP) };
}

export function replaceMessage(timeline: Timeline | undefined, message: Message): Timeline | undefined {
  if (!timeline) return timeline;
  const index = timeline.messages.findIndex((m) => m.id === message.id);
  if (index < 0) return timeline;
  const messages = timeline.messages.slice();
  messages[index] = message;
  return { ...timeline, messages };
}

function maxSeq(messages: readonly Message[]): number {
  return messages.length ? (messages[messages.length - 1]?.seq ?? 0) : 0;
}

/**
 * A page of history arrived.
 * - newest: the newest page; live messages newer than it are kept, older windows dropped.
 * - older / newer: extends the window up or down.
 * - around: a window around a search hit replaces everything.
 * - refresh: the newest page again (after a reconnect): merged, edits and deletes win.
 */
export function applyPage(
  timeline: Timeline | undefined,
  mode: PageMode,
  messages: readonly Message[],
  hasMore: boolean,
  hasNewer = false,
): Timeline {
  const current = timeline ?? emptyTimeline;
  const done = { ...current, loaded: true, loading: null };
  switch (mode) {
    case 'newest': {
      const top = maxSeq(messages);
      const live = current.hasNewer ? [] : current.messages.filter((m) => m.seq > top);
      return { ...done, messages: mergeMessages(messages, live), hasOlder: hasMore, hasNewer: false };
    }
    case 'older':
      return { ...done, messages: mergeMessages(messages, current.messages), hasOlder: hasMore };
    case 'newer':
      return { ...done, messages: mergeMessages(current.messages, messages), hasNewer: hasMore };
    case 'around':
      return { ...done, messages: [...messages].sort((a, b) => a.seq - b.seq), hasOlder: hasMore, hasNewer };
    case 'refresh': {
      if (current.hasNewer) return { ...current, loading: null };
      const first = messages[0]?.seq ?? 0;
      const contiguous = current.messages.length > 0 && maxSeq(current.messages) >= first - 1;
      if (!contiguous) return applyPage(current, 'newest', messages, hasMore);
      return { ...done, messages: mergeMessages(current.messages, messages) };
    }
  }
}
