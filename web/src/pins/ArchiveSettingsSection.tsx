/** Settings: whether archived chats stay archived when a new message arrives. */
import { useEffect, useId, useState } from 'react';
import type { ChatSettings } from '../../../sdk/index.js';
import { useSession } from '../session/context.js';
import { chatSettings, updateChatSettings } from './actions.js';

export function ArchiveSettingsSection() {
  const session = useSession();
  const id = useId();
  const [settings, setSettings] = useState<ChatSettings | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void chatSettings(session).then(
      (s) => live && setSettings(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [session]);

  const change = (keepArchived: boolean) =>
    void updateChatSettings(session, { keepArchived }).then(
      (s) => setSettings(s),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Chats</h3>
      <label className="toggle-row">
        <input
          type="checkbox"
          checked={settings?.keepArchived ?? false}
          disabled={settings === null}
          onChange={(e) => change(e.target.checked)}
        />
        Keep chats archived
      </label>
      <p className="muted small">Archived chats stay archived when a new message arrives.</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
