/** Finds users by username prefix and offers an action on each (start a chat, add, block …). */
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import type { User } from '../../../sdk/index.js';
import { useAppState, useSession } from '../session/context.js';
import { Avatar } from './Avatar.js';

interface UserPickerProps {
  label: string;
  placeholder?: string;
  /** Users never offered (oneself is never offered). */
  exclude?: readonly string[];
  /** Shown while the search box is empty. */
  initial?: User[];
  /** What a row does; the row is a button labelled `${actionLabel} ${name}`. */
  actionLabel: string;
  onPick(user: User): void;
  trailing?(user: User): ReactNode;
  autoFocus?: boolean;
}

export function UserPicker({
  label,
  placeholder,
  exclude = [],
  initial = [],
  actionLabel,
  onPick,
  trailing,
  autoFocus,
}: UserPickerProps) {
  const session = useSession();
  const meId = useAppState((s) => s.me?.id);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<User[] | null>(null);
  const [error, setError] = useState('');
  const id = useId();
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, [autoFocus]);

  useEffect(() => {
    const q = query.trim().toLowerCase().replace(/^@/, '');
    if (!q) {
      setResults(null);
      setError('');
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      session.searchUsers(q).then(
        (users) => {
          if (!current) return;
          setResults(users);
          setError('');
        },
        () => current && setError('Search failed. Are you online?'),
      );
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, session]);

  const hidden = new Set([...exclude, meId ?? '']);
  const shown = (results ?? initial).filter((u) => !hidden.has(u.id));
  return (
    <div className="user-picker">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input
        ref={input}
        id={id}
        type="search"
        className="search-input"
        placeholder={placeholder ?? 'Search by username'}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-autofocus={autoFocus ? '' : undefined}
      />
      {error && <p className="muted small">{error}</p>}
      {results && shown.length === 0 && !error && <p className="muted small pad">No users found.</p>}
      <ul className="user-list">
        {shown.map((user) => (
          <li key={user.id} className="user-row">
            <button
              type="button"
              className="user-row-main"
              aria-label={`${actionLabel} ${user.displayName}`}
              onClick={() => onPick(user)}
            >
              <Avatar id={user.id} name={user.displayName} url={user.avatarUrl} size={40} />
              <span className="user-row-text">
                <span className="user-row-name">{user.displayName}</span>
                <span className="user-row-sub">@{user.username}</span>
              </span>
            </button>
            {trailing?.(user)}
          </li>
        ))}
      </ul>
    </div>
  );
}
