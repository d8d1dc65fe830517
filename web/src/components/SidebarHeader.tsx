/** The chat list's header: one's avatar (settings) and the actions. */
import { AdminLink } from '../admin/AdminLink.js';
import { useAppState, useSession } from '../session/context.js';
import type { Panel } from '../state/types.js';
import { Avatar } from './Avatar.js';
import { IconButton } from './IconButton.js';

export function SidebarHeader() {
  const session = useSession();
  const me = useAppState((s) => s.me);
  const open = (drawer: Panel) => session.dispatch({ type: 'drawer', drawer });
  return (
    <header className="sidebar-header">
      <button
        type="button"
        className="me-button"
        aria-label="Profile and settings"
        title="Profile and settings"
        onClick={() => open({ kind: 'settings' })}
      >
        {me && <Avatar id={me.id} name={me.displayName} url={me.avatarUrl} size={40} />}
      </button>
      <h1 className="sidebar-title">Chats</h1>
      <div className="header-actions">
        <AdminLink />
        <IconButton icon="search" label="Search messages" onClick={() => open({ kind: 'search' })} />
        <IconButton icon="newChat" label="New chat" onClick={() => open({ kind: 'newChat' })} />
        <IconButton icon="group" label="New group" onClick={() => open({ kind: 'newGroup' })} />
        <IconButton icon="campaign" label="New channel" onClick={() => open({ kind: 'newChannel' })} />
        <IconButton icon="settings" label="Settings" onClick={() => open({ kind: 'settings' })} />
      </div>
    </header>
  );
}
