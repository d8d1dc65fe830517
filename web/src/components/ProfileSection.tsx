/** One's display name and avatar URL. */
import { type FormEvent, useId, useState } from 'react';
import { useAppState, useSession } from '../session/context.js';
import { Avatar } from './Avatar.js';

export function ProfileSection() {
  const session = useSession();
  const me = useAppState((s) => s.me);
  const [displayName, setDisplayName] = useState(me?.displayName ?? '');
  const [avatarUrl, setAvatarUrl] = useState(me?.avatarUrl ?? '');
  const [saved, setSaved] = useState(false);
  const id = useId();
  if (!me) return null;

  const url = avatarUrl.trim();
  const urlValid = url === '' || /^https?:\/\/\S+$/i.test(url);
  const dirty = displayName.trim() !== me.displayName || (url || null) !== me.avatarUrl;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!displayName.trim() || !urlValid) return;
    try {
      await session.updateProfile({ displayName: displayName.trim(), avatarUrl: url || null });
      setSaved(true);
    } catch {
      // the notice says why
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="profile-head compact">
        <Avatar id={me.id} name={displayName || me.displayName} url={urlValid && url ? url : null} size={72} />
        <div>
          <h3 id={`${id}-title`}>{me.displayName}</h3>
          <p className="muted">@{me.username}</p>
        </div>
      </div>
      <form className="stack" onSubmit={save}>
        <label htmlFor={`${id}-name`}>Display name</label>
        <input
          id={`${id}-name`}
          required
          maxLength={64}
          value={displayName}
          onChange={(e) => {
            setDisplayName(e.target.value);
            setSaved(false);
          }}
        />
        <label htmlFor={`${id}-avatar`}>Avatar URL</label>
        <input
          id={`${id}-avatar`}
          type="url"
          inputMode="url"
          placeholder="https://…"
          maxLength={2048}
          value={avatarUrl}
          aria-invalid={!urlValid}
          onChange={(e) => {
            setAvatarUrl(e.target.value);
            setSaved(false);
          }}
        />
        {!urlValid && <p className="form-error">Use an http(s) address.</p>}
        <div className="inline-row">
          <button type="submit" className="button primary" disabled={!dirty || !urlValid || !displayName.trim()}>
            Save profile
          </button>
          {saved && !dirty && (
            <span className="muted small" role="status">
              Saved
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
