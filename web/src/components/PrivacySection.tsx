/** Who sees one's online status and last-seen time. */
import { useId } from 'react';
import type { PrivacyLevel, PrivacySettings } from '../../../sdk/index.js';
import { useAppState, useSession } from '../session/context.js';

const LEVELS: Array<{ value: PrivacyLevel; label: string }> = [
  { value: 'everyone', label: 'Everyone' },
  { value: 'contacts', label: 'My contacts' },
  { value: 'nobody', label: 'Nobody' },
];

export function PrivacySection() {
  const session = useSession();
  const privacy = useAppState((s) => s.privacy);
  const id = useId();
  if (!privacy) return null;
  const change = (key: keyof PrivacySettings, value: PrivacyLevel) =>
    void session.updateProfile({ privacy: { [key]: value } }).catch(() => undefined);
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Privacy</h3>
      <label htmlFor={`${id}-presence`}>Who can see when I'm online</label>
      <select
        id={`${id}-presence`}
        value={privacy.presence}
        onChange={(e) => change('presence', e.target.value as PrivacyLevel)}
      >
        {LEVELS.map((l) => (
          <option key={l.value} value={l.value}>
            {l.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-last-seen`}>Who can see my last seen</label>
      <select
        id={`${id}-last-seen`}
        value={privacy.lastSeen}
        onChange={(e) => change('lastSeen', e.target.value as PrivacyLevel)}
      >
        {LEVELS.map((l) => (
          <option key={l.value} value={l.value}>
            {l.label}
          </option>
        ))}
      </select>
      <p className="muted small">“My contacts” means the people in your contact list.</p>
    </section>
  );
}
