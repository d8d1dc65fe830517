/**
 * `@` autocomplete in the composer: the `@name` being typed before the caret,
 * the group's members that match it, and the text after one is chosen.
 * Pure, so it is tested without a browser; MentionPicker.tsx wires it.
 */
import type { User } from '../../../sdk/index.js';

export interface ActiveMention {
  /** Where the `@` is, and what follows it up to the caret. */
  start: number;
  query: string;
}

/** Most suggestions shown at once. */
export const MAX_SUGGESTIONS = 6;

const TYPING = /(^|[^A-Za-z0-9_.@])@([A-Za-z0-9_.]{0,32})$/;

/** The mention being typed at the caret, or null. */
export function activeMention(text: string, caret: number): ActiveMention | null {
  const match = TYPING.exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[2] ?? '';
  return { start: caret - query.length - 1, query };
}

/** Members (not me) whose username or display name starts with the query, usernames first, then by name. */
export function suggestions(query: string, members: readonly User[], meId: string | undefined): User[] {
  const q = query.toLowerCase();
  const rank = (u: User) => (u.username.startsWith(q) ? 0 : 1);
  return members
    .filter((u) => u.id !== meId)
    .filter((u) => u.username.startsWith(q) || u.displayName.toLowerCase().startsWith(q))
    .sort((a, b) => rank(a) - rank(b) || a.displayName.localeCompare(b.displayName))
    .slice(0, MAX_SUGGESTIONS);
}

/** The text with the typed `@query` replaced by `@username `, and where the caret goes. */
export function insertMention(
  text: string,
  active: ActiveMention,
  caret: number,
  username: string,
): { text: string; caret: number } {
  const inserted = `@${username} `;
  const rest = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, active.start) + inserted + rest, caret: active.start + inserted.length };
}
