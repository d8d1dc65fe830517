/**
 * How `@username` is read in message text, shared by the server (which stores
 * the members a message mentions), the SDK and the web client (which
 * highlights them). No Node imports here.
 *
 * A mention is `@` followed by a username's characters (letters, digits, `_`
 * and `.`; case-insensitive) where the `@` does not follow such a character or
 * another `@`, so `bob@example.com` mentions nobody. Trailing dots end a
 * sentence, not the name ("thanks @bob."). Names outside 3-32 characters
 * cannot be usernames and are ignored.
 */
import { LIMITS } from './limits.js';

export interface MentionSpan {
  /** UTF-16 offsets into the text: the `@` and one past the name. */
  start: number;
  end: number;
  /** Lowercased, as usernames are stored. */
  username: string;
}

const MENTION = /(^|[^A-Za-z0-9_.@])@([A-Za-z0-9_.]+)/g;

/** Every well-formed `@name` of the text, in order (repeats included). */
export function mentionSpans(text: string): MentionSpan[] {
  const spans: MentionSpan[] = [];
  for (const match of text.matchAll(MENTION)) {
    const name = (match[2] ?? '').replace(/\.+$/, '');
    if (name.length < 3 || name.length > 32) continue;
    const start = (match.index ?? 0) + (match[1] ?? '').length;
    spans.push({ start, end: start + 1 + name.length, username: name.toLowerCase() });
  }
  return spans;
}

/** The distinct usernames the text names, in order of first appearance, at most LIMITS.mentionsPerMessage. */
export function mentionedUsernames(text: string): string[] {
  if (!text.includes('@')) return [];
  const names = new Set<string>();
  for (const span of mentionSpans(text)) {
    names.add(span.username);
    if (names.size === LIMITS.mentionsPerMessage) break;
  }
  return [...names];
}
