/**
 * Above a channel's composer: its size, and for admins how many members read
 * the newest post (reader counts, polled: no per-member receipt exists).
 */
import { useEffect, useState } from 'react';
import { useAppState, useSession } from '../session/context.js';
import type { ConversationEntry } from '../state/types.js';
import { channelApi } from './api.js';
import './channels.css';

const POLL_MS = 10_000;

export function ChannelBar({ entry }: { entry: ConversationEntry }) {
  const session = useSession();
  const meId = useAppState((s) => s.me?.id);
  const { conversation, lastMessage } = entry;
  const isAdmin = conversation.members.some((m) => m.userId === meId && m.role === 'admin');
  const memberCount = conversation.channel?.memberCount ?? conversation.members.length;
  const lastSeq = lastMessage?.seq ?? conversation.lastSeq;
  const [readers, setReaders] = useState<number | null>(null);

  useEffect(() => {
    if (!isAdmin || lastSeq < 1) return;
    let stopped = false;
    const load = () =>
      channelApi(session)
        .readers(conversation.id, [lastSeq])
        .then((answer) => {
          if (!stopped) setReaders(answer.readers[String(lastSeq)] ?? 0);
        })
        .catch(() => {});
    void load();
    const timer = setInterval(load, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [isAdmin, lastSeq, conversation.id, session]);

  return (
    <div className="channel-bar" data-testid="channel-bar">
      <span>
        Channel · {memberCount.toLocaleString()} {memberCount === 1 ? 'member' : 'members'}
      </span>
      {isAdmin && readers !== null && (
        <span className="channel-readers" data-testid="channel-readers">
          Latest post read by {readers.toLocaleString()} of {memberCount.toLocaleString()}
        </span>
      )}
    </div>
  );
}
