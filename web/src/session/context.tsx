/** React access to the session and its store. */
import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { AppState } from '../state/types.js';
import type { Session } from './session.js';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionContext>');
  return session;
}

/** A slice of the state; re-renders when the selected value changes (by identity). */
export function useAppState<T>(selector: (state: AppState) => T): T {
  const { store } = useSession();
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}

/** The current time, refreshed every `intervalMs` (relative times, "last seen"). */
export function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
