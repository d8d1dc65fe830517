/** Create a broadcast channel (name, public or private), or find a public one and join it. */
import { type FormEvent, useId, useState } from 'react';
import type { Conversation } from '../../../sdk/index.js';
import { PanelFrame } from '../components/PanelFrame.js';
import { conversationPath, navigate } from '../lib/router.js';
import { useSession } from '../session/context.js';
import { channelApi } from './api.js';
import './channels.css';

export function NewChannelPanel({ onClose }: { onClose(): void }) {
  const session = useSession();
  const [name, setName] = useState('');
  const [isPublic, setPublic] = useState(true);
  const [busy, setBusy] = useState(false);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Conversation[] | null>(null);
  const id = useId();

  const open = (conversation: Conversation) => {
    session.dispatch({ type: 'conversation', conversation });
    onClose();
    navigate(conversationPath(conversation.id));
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    try {
      open(await channelApi(session).create({ name: name.trim(), public: isPublic }));
    } catch {
      session.dispatch({ type: 'notice', text: 'Could not create the channel' });
      setBusy(false);
    }
  };

  const search = async (event: FormEvent) => {
    event.preventDefault();
    try {
      setFound(await channelApi(session).search(query.trim()));
    } catch {
      session.dispatch({ type: 'notice', text: 'Could not search channels' });
    }
  };

  const join = async (channel: Conversation) => {
    try {
      open(await channelApi(session).join(channel.id));
    } catch {
      session.dispatch({ type: 'notice', text: 'Could not join the channel' });
    }
  };

  return (
    <PanelFrame title="New channel" onClose={onClose} closeIcon="back">
      <form className="stack" onSubmit={create}>
        <label htmlFor={`${id}-name`}>Channel name</label>
        <input
          id={`${id}-name`}
          data-autofocus=""
          maxLength={128}
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <label>
          <input type="checkbox" checked={isPublic} onChange={(e) => setPublic(e.target.checked)} /> Public: anyone can
          find and join it
        </label>
        <p className="muted small">Only admins post in a channel; members read.</p>
        <button type="submit" className="button primary wide" disabled={busy || !name.trim()}>
          {busy ? 'Creating…' : 'Create channel'}
        </button>
      </form>
      <form className="stack" onSubmit={search}>
        <label htmlFor={`${id}-find`}>Find a public channel</label>
        <input id={`${id}-find`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" className="button wide">
          Search channels
        </button>
      </form>
      {found && (
        <ul className="channel-search-results" aria-label="Public channels">
          {found.length === 0 && <li className="muted">No channel found</li>}
          {found.map((channel) => (
            <li key={channel.id}>
              <span>
                {channel.name} <span className="muted small">({channel.channel?.memberCount ?? 0} members)</span>
              </span>
              <button type="button" className="button" onClick={() => void join(channel)}>
                Join
              </button>
            </li>
          ))}
        </ul>
      )}
    </PanelFrame>
  );
}
