/** The panel beside a chat: group or contact info, a message's receipts, search in the chat. */
import type { ReactNode } from 'react';
import { useSession } from '../session/context.js';
import type { ConversationEntry, Panel } from '../state/types.js';
import { ContactInfoPanel } from './ContactInfoPanel.js';
import { GroupInfoPanel } from './GroupInfoPanel.js';
import { ReceiptsPanel } from './ReceiptsPanel.js';
import { SearchPanel } from './SearchPanel.js';

export function ChatPanel({ panel, entry }: { panel: Panel; entry: ConversationEntry }) {
  const session = useSession();
  const close = () => session.dispatch({ type: 'panel', panel: null });
  let content: ReactNode = null;
  switch (panel.kind) {
    case 'info':
      content =
        entry.conversation.type === 'group' ? (
          <GroupInfoPanel entry={entry} onClose={close} />
        ) : (
          <ContactInfoPanel entry={entry} onClose={close} />
        );
      break;
    case 'receipts':
      content = <ReceiptsPanel conversationId={entry.conversation.id} messageId={panel.messageId} onClose={close} />;
      break;
    case 'chatSearch':
      content = <SearchPanel conversationId={entry.conversation.id} onClose={close} />;
      break;
  }
  return <div className="side-panel">{content}</div>;
}
