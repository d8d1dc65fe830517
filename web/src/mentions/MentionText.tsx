/**
 * A message's text with its @mentions highlighted: a `@name` is a mention when
 * the member it names is in the message's `mentions` (what the server
 * resolved), or, for a message not yet stored, a member of the group. The
 * reader's own name stands out as "you".
 */
import { Fragment, type ReactNode } from 'react';
import { mentionSpans } from '../../../sdk/index.js';
import type { UserMap } from '../lib/names.js';

interface MentionTextProps {
  text: string;
  /** User ids the text may mention. */
  candidates: readonly string[];
  users: UserMap;
  meId: string | undefined;
}

export function MentionText({ text, candidates, users, meId }: MentionTextProps) {
  if (candidates.length === 0 || !text.includes('@')) return <>{text}</>;
  const idByName = new Map<string, string>();
  for (const id of candidates) {
    const user = users[id];
    if (user) idByName.set(user.username, id);
  }
  const parts: ReactNode[] = [];
  let at = 0;
  for (const span of mentionSpans(text)) {
    const userId = idByName.get(span.username);
    if (!userId) continue;
    if (span.start > at) parts.push(<Fragment key={`t${at}`}>{text.slice(at, span.start)}</Fragment>);
    const me = userId === meId;
    parts.push(
      <span
        key={span.start}
        className={me ? 'mention mention-me' : 'mention'}
        data-mention={userId}
        title={me ? 'You' : users[userId]?.displayName}
      >
        {text.slice(span.start, span.end)}
      </span>,
    );
    at = span.end;
  }
  if (at < text.length) parts.push(<Fragment key={`t${at}`}>{text.slice(at)}</Fragment>);
  return <>{parts}</>;
}
