/** Blocked users: block by username, unblock. */
import { useId, useState } from 'react';
import { userName } from '../lib/names.js';
import { useAppState, useSession } from '../session/context.js';
import { Avatar } from './Avatar.js';
import { UserPicker } from './UserPicker.js';

export function BlockedSection() {
  const session = useSession();
  const blocked = useAppState((s) => s.blocked);
  const users = useAppState((s) => s.users);
  const [adding, setAdding] = useState(false);
  const id = useId();
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card-title-row">
        <h3 id={`${id}-title`}>Blocked users</h3>
        <button type="button" className="button small" aria-expanded={adding} onClick={() => setAdding((v) => !v)}>
          {adding ? 'Done' : 'Block someone'}
        </button>
      </div>
      {adding && (
        <UserPicker
          label="Find a user to block"
          actionLabel="Block"
          exclude={blocked}
          onPick={(user) => void session.block(user.id).catch(() => undefined)}
          autoFocus
        />
      )}
      {blocked.length === 0 && <p className="muted small">Blocked users cannot message you in direct chats.</p>}
      <ul className="member-list">
        {blocked.map((userId) => (
          <li key={userId} className="member-row">
            <Avatar id={userId} name={userName(userId, users)} url={users[userId]?.avatarUrl} size={36} />
            <span className="user-row-text">
              <span className="user-row-name">{userName(userId, users)}</span>
              {users[userId] && <span className="user-row-sub">@{users[userId]?.username}</span>}
            </span>
            <button
              type="button"
              className="button small"
              aria-label={`Unblock ${userName(userId, users)}`}
              onClick={() => void session.unblock(userId).catch(() => undefined)}
            >
              Unblock
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
