/** The signed-in app: the chat list beside the open chat (one at a time on narrow screens). */
import { useEffect } from 'react';
import { parsePath } from '../lib/router.js';
import { useAppState, useSession } from '../session/context.js';
import { totalUnread } from '../state/selectors.js';
import { ChatView } from './ChatView.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { EmptyChat } from './EmptyChat.js';
import { Notices } from './Notices.js';
import { Sidebar } from './Sidebar.js';

export function ChatApp() {
  const session = useSession();
  const active = useAppState((s) => s.active);
  const unread = useAppState(totalUnread);

  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Chat` : 'Chat';
  }, [unread]);

  useEffect(() => {
    const sync = () => session.open(parsePath(location.pathname));
    sync();
    window.addEventListener('popstate', sync);
    return () => window.removeEventListener('popstate', sync);
  }, [session]);

  return (
    <div className={active ? 'app has-active' : 'app'}>
      <ConnectionBanner />
      <div className="layout">
        <Sidebar />
        <main className="main">{active ? <ChatView key={active} conversationId={active} /> : <EmptyChat />}</main>
      </div>
      <Notices />
    </div>
  );
}
