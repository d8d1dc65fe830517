/** The left column: header, chat filter and list; drawers (new chat, search, settings) slide over it. */
import { useState } from 'react';
import { NewChannelPanel } from '../channels/NewChannelPanel.js';
import { useAppState, useSession } from '../session/context.js';
import type { Panel } from '../state/types.js';
import { ConversationList } from './ConversationList.js';
import { NewChatPanel } from './NewChatPanel.js';
import { NewGroupPanel } from './NewGroupPanel.js';
import { SearchPanel } from './SearchPanel.js';
import { SettingsPanel } from './SettingsPanel.js';
import { SidebarHeader } from './SidebarHeader.js';

function Drawer({ drawer, onClose }: { drawer: Panel; onClose(): void }) {
  switch (drawer.kind) {
    case 'newChat':
      return <NewChatPanel onClose={onClose} />;
    case 'newGroup':
      return <NewGroupPanel onClose={onClose} />;
    case 'newChannel':
      return <NewChannelPanel onClose={onClose} />;
    case 'settings':
      return <SettingsPanel onClose={onClose} />;
    case 'search':
      return <SearchPanel conversationId={null} onClose={onClose} />;
    default:
      return null;
  }
}

export function Sidebar() {
  const session = useSession();
  const drawer = useAppState((s) => s.drawer);
  const [filter, setFilter] = useState('');
  const close = () => session.dispatch({ type: 'drawer', drawer: null });
  return (
    <aside className="sidebar" aria-label="Chats">
      <div className="sidebar-content" inert={drawer !== null}>
        <SidebarHeader />
        <div className="filter">
          <input
            type="search"
            className="filter-input"
            placeholder="Search chats"
            aria-label="Filter chats by name"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </div>
        <ConversationList filter={filter} />
      </div>
      {drawer && (
        <div className="drawer">
          <Drawer drawer={drawer} onClose={close} />
        </div>
      )}
    </aside>
  );
}
