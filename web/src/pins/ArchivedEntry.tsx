/**
 * Above the chat list: the "Archived" entry (with how many) that opens the
 * archived chats, or, while they show, the way back to the main list.
 */
import { Icon } from '../components/Icon.js';
import { useAppState } from '../session/context.js';
import { archivedCount } from './arrange.js';
import { pinsStore, usePins } from './state.js';
import './pins.css';

export function ArchivedEntry() {
  const showArchived = usePins((s) => s.showArchived);
  const chats = usePins((s) => s.chats);
  const conversations = useAppState((s) => s.conversations);
  const count = archivedCount(chats, Object.keys(conversations));
  if (showArchived) {
    return (
      <button type="button" className="archived-entry back" onClick={() => pinsStore.showArchived(false)}>
        <Icon name="back" size={20} />
        <span className="archived-label">Archived</span>
      </button>
    );
  }
  if (count === 0) return null;
  return (
    <button type="button" className="archived-entry" onClick={() => pinsStore.showArchived(true)}>
      <Icon name="archive" size={20} />
      <span className="archived-label">Archived</span>
      <span className="archived-count" data-testid="archived-count">
        {count}
      </span>
    </button>
  );
}
