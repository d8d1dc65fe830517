/** One open chat: header, messages, composer, and a side panel (info, receipts, search). */
import { useState } from 'react';
import type { Message } from '../../../sdk/index.js';
import { ChannelBar } from '../channels/ChannelBar.js';
import { navigate } from '../lib/router.js';
import { PinnedBar } from '../pins/PinnedBar.js';
import { useAppState } from '../session/context.js';
import { ChatHeader } from './ChatHeader.js';
import { ChatPanel } from './ChatPanel.js';
import { Composer } from './Composer.js';
import { MessageList } from './MessageList.js';

export interface ComposeIntent {
  kind: 'reply' | 'edit';
  message: Message;
}

export function ChatView({ conversationId }: { conversationId: string }) {
  const entry = useAppState((s) => s.conversations[conversationId]);
  const panel = useAppState((s) => s.panel);
  const [intent, setIntent] = useState<ComposeIntent | null>(null);

  if (!entry) {
    return (
      <div className="empty-chat">
        <h2>Chat not found</h2>
        <p className="muted">It may have been removed, or you are not a member.</p>
        <button type="button" className="button" onClick={() => navigate('/')}>
          Back to chats
        </button>
      </div>
    );
  }

  return (
    <div className={panel ? 'chat with-panel' : 'chat'}>
      <section className="chat-main" aria-label="Chat">
        <ChatHeader entry={entry} />
        <PinnedBar conversationId={conversationId} />
        <MessageList
          conversationId={conversationId}
          onReply={(message) => setIntent({ kind: 'reply', message })}
          onEdit={(message) => setIntent({ kind: 'edit', message })}
        />
        {entry.conversation.type === 'channel' && <ChannelBar entry={entry} />}
        <Composer conversationId={conversationId} intent={intent} onIntentDone={() => setIntent(null)} />
      </section>
      {panel && <ChatPanel panel={panel} entry={entry} />}
    </div>
  );
}
