/** Starts a session for a token; shows a splash while loading and retries while the server is unreachable. */
import { useEffect, useRef, useState } from 'react';
import { ChatApiError } from '../../../sdk/index.js';
import { apiBase } from '../session/auth.js';
import { SessionContext } from '../session/context.js';
import { Session } from '../session/session.js';
import { ChatApp } from './ChatApp.js';

interface SessionRootProps {
  token: string;
  onSignedOut(reason: string): void;
}

type Phase = { kind: 'loading' } | { kind: 'ready'; session: Session } | { kind: 'unreachable'; message: string };

/** One attempt at starting a session (a retry mounts a new one). */
function SessionAttempt({ token, onSignedOut, onRetry }: SessionRootProps & { onRetry(): void }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const signedOut = useRef(onSignedOut);
  signedOut.current = onSignedOut;

  useEffect(() => {
    let cancelled = false;
    const session = new Session({
      baseUrl: apiBase(),
      token,
      storage: window.localStorage,
      onSignedOut: (reason) => {
        if (!cancelled) signedOut.current(reason);
      },
    });
    session.start().then(
      () => {
        if (cancelled) session.stop();
        else setPhase({ kind: 'ready', session });
      },
      (error: unknown) => {
        session.stop();
        if (cancelled) return;
        if (error instanceof ChatApiError && (error.status === 401 || error.status === 404)) {
          signedOut.current('Please sign in again.');
          return;
        }
        setPhase({ kind: 'unreachable', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      cancelled = true;
      session.stop();
    };
  }, [token]);

  useEffect(() => {
    if (phase.kind !== 'unreachable') return;
    const timer = setTimeout(onRetry, 3000);
    return () => clearTimeout(timer);
  }, [phase, onRetry]);

  if (phase.kind === 'ready') {
    return (
      <SessionContext.Provider value={phase.session}>
        <ChatApp />
      </SessionContext.Provider>
    );
  }
  return (
    <div className="splash" role="status">
      <div className="splash-logo" aria-hidden="true" />
      {phase.kind === 'loading' ? (
        <p>Loading your chats…</p>
      ) : (
        <>
          <p>Cannot reach the server. Retrying…</p>
          <p className="muted small">{phase.message}</p>
          <button type="button" className="button" onClick={onRetry}>
            Retry now
          </button>
        </>
      )}
    </div>
  );
}

export function SessionRoot(props: SessionRootProps) {
  const [attempt, setAttempt] = useState(0);
  const [retry] = useState(() => () => setAttempt((n) => n + 1));
  return <SessionAttempt key={attempt} {...props} onRetry={retry} />;
}
