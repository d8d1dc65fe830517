/** Says when the app is offline or reconnecting; the SDK resumes on its own. */
import { useEffect, useState } from 'react';
import { useAppState } from '../session/context.js';
import { Icon } from './Icon.js';

export function ConnectionBanner() {
  const connection = useAppState((s) => s.connection);
  const retryAt = useAppState((s) => s.retryAt);
  const queued = useAppState((s) => s.pending.length);
  const [, tick] = useState(0);
  // A first "connecting" shows only if it lasts, so a normal start does not flash.
  const [patient, setPatient] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => setPatient(true), 1200);
    return () => clearTimeout(timer);
  }, []);

  useEffect(() => {
    if (connection !== 'reconnecting' || !retryAt) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [connection, retryAt]);

  if (connection === 'online' || (connection === 'connecting' && !patient)) return null;
  const seconds = retryAt ? Math.ceil((retryAt - Date.now()) / 1000) : 0;
  const pending = queued > 0 ? ` ${queued} message${queued === 1 ? '' : 's'} will be sent when you are back.` : '';
  let text: string;
  if (connection === 'offline')
    text = `You are offline.${pending || ' Messages you write will be sent when you are back.'}`;
  else if (connection === 'reconnecting' && seconds > 0)
    text = `Connection lost. Reconnecting in ${seconds} s…${pending}`;
  else text = `Connecting…${pending}`;
  return (
    <div className={`connection-banner ${connection}`} role="status" aria-live="polite">
      <Icon name="cloudOff" size={18} />
      <span>{text}</span>
    </div>
  );
}
