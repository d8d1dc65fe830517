/**
 * The sessions open on this node, by user and by client address. Observer
 * sessions count for the connection caps and close with the node, but are in
 * no user's audience: sessionsOf and hasUser leave them out.
 */
import type { Session } from './session.js';

export class SessionRegistry {
  private readonly byUser = new Map<string, Set<Session>>();
  private readonly byAddress = new Map<string, number>();
  private readonly observers = new Set<Session>();

  add(session: Session, address: string): void {
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    if (session.observer) {
      this.observers.add(session);
      return;
    }
    let sessions = this.byUser.get(session.userId);
    if (!sessions) {
      sessions = new Set();
      this.byUser.set(session.userId, sessions);
    }
    sessions.add(session);
  }

  remove(session: Session, address: string): void {
    if (!this.observers.delete(session)) {
      const sessions = this.byUser.get(session.userId);
      if (sessions?.delete(session) && sessions.size === 0) this.byUser.delete(session.userId);
    }
    const count = (this.byAddress.get(address) ?? 1) - 1;
    if (count > 0) this.byAddress.set(address, count);
    else this.byAddress.delete(address);
  }

  sessionsOf(userId: string): ReadonlySet<Session> {
    return this.byUser.get(userId) ?? EMPTY;
  }

  hasUser(userId: string): boolean {
    return this.byUser.has(userId);
  }

  countForUser(userId: string): number {
    let observing = 0;
    for (const session of this.observers) if (session.userId === userId) observing += 1;
    return (this.byUser.get(userId)?.size ?? 0) + observing;
  }

  countForAddress(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }

  *all(): Iterable<Session> {
    for (const sessions of this.byUser.values()) yield* sessions;
    yield* this.observers;
  }

  /** No session in any chat audience (observers aside). */
  get isEmpty(): boolean {
    return this.byUser.size === 0;
  }

  get size(): number {
    let total = this.observers.size;
    for (const sessions of this.byUser.values()) total += sessions.size;
    return total;
  }
}

const EMPTY: ReadonlySet<Session> = new Set();
