/** Settings: notifications on this device, message previews, do-not-disturb. */
import { useEffect, useId, useState } from 'react';
import type { NotificationSettings } from '../../../src/protocol/push.js';
import { useAppState, useSession } from '../session/context.js';
import { pushApi } from './api.js';
import { disablePush, enablePush, type PushState, pushState } from './subscription.js';
import './push.css';

const STATE_TEXT: Record<PushState, string> = {
  unsupported: 'This browser cannot show notifications.',
  denied: 'Notifications are blocked for this site in the browser settings.',
  off: 'Get a notification when a message arrives while the chat is closed.',
  on: 'This device gets a notification when a message arrives while the chat is closed.',
};

export function NotificationsSection() {
  const session = useSession();
  const userId = useAppState((s) => s.me?.id ?? null);
  const id = useId();
  const [state, setState] = useState<PushState | null>(null);
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!userId) return;
    let live = true;
    void pushState(userId).then(
      (s) => live && setState(s),
      () => live && setState('unsupported'),
    );
    void pushApi.settings(session.baseUrl, session.token).then(
      (r) => live && setSettings(r.settings),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [session, userId]);

  if (!userId) return null;
  const toggleDevice = async () => {
    setBusy(true);
    setError(null);
    try {
      const next =
        state === 'on'
          ? await disablePush(session.baseUrl, session.token, userId)
          : await enablePush(session.baseUrl, session.token, userId);
      setState(next);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const change = (patch: Partial<NotificationSettings>) =>
    void pushApi.updateSettings(session.baseUrl, session.token, patch).then(
      (r) => setSettings(r.settings),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Notifications</h3>
      <label className="toggle-row">
        <input
          type="checkbox"
          checked={state === 'on'}
          disabled={busy || state === null || state === 'unsupported' || state === 'denied'}
          onChange={() => void toggleDevice()}
        />
        Notifications on this device
      </label>
      {state && <p className="muted small">{STATE_TEXT[state]}</p>}
      {settings && (
        <>
          <label className="toggle-row">
            <input
              type="checkbox"
              checked={settings.hidePreviews}
              onChange={(e) => change({ hidePreviews: e.target.checked })}
            />
            Hide message previews
          </label>
          <label className="toggle-row">
            <input
              type="checkbox"
              checked={settings.doNotDisturb}
              onChange={(e) => change({ doNotDisturb: e.target.checked, doNotDisturbUntil: null })}
            />
            Do not disturb
          </label>
        </>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
