/** Accounts: registration, login, profiles, privacy, contacts and blocks. */

import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { TokenService } from '../auth/tokens.js';
import type { PresenceReader, PresenceSnapshot } from '../presence/presence.js';
import type { Me, Presence, User } from '../protocol/dto.js';
import { ChatError } from '../protocol/errors.js';
import type { PatchMeBody, RegisterBody } from '../protocol/schemas.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import { StoreError } from '../store/errors.js';
import type { UserRecord } from '../store/records.js';
import type { UserStore } from '../store/stores.js';
import { type Clock, newId } from './clock.js';
import { toUser } from './mappers.js';
import { mayView } from './privacy.js';

export interface AccountsDeps {
  users: UserStore;
  tokens: TokenService;
  presence: PresenceReader;
  clock: Clock;
  /** Login attempts per client address. */
  loginPerAddress: RateLimiter;
  /** Failed logins per username: stops password guessing from many addresses. */
  loginFailuresPerUsername: RateLimiter;
}

export interface Session {
  user: User;
  token: string;
}

const BAD_LOGIN = 'invalid username or password';

export class Accounts {
  constructor(private readonly deps: AccountsDeps) {}

  async register(input: RegisterBody): Promise<Session> {
    const { users, clock, tokens } = this.deps;
    if (await users.byUsername(input.username)) throw new ChatError('username_taken');
    const passwordHash = await hashPassword(input.password);
    try {
      const record = await users.create({
        id: newId(),
        username: input.username,
        displayName: input.displayName ?? input.username,
        phone: input.phone ?? null,
        passwordHash,
        createdAt: clock.now().toISOString(),
      });
      return { user: toUser(record), token: await tokens.issue(record.id) };
    } catch (error) {
      if (error instanceof StoreError && error.kind === 'username_taken') throw new ChatError('username_taken');
      throw error;
    }
  }

  /** One answer for an unknown user and a wrong password, in about the same time. */
  async login(username: string, password: string, clientAddress: string): Promise<Session> {
    const { users, tokens, loginPerAddress, loginFailuresPerUsername } = this.deps;
    const byAddress = await loginPerAddress.consume(clientAddress);
    const byName = await loginFailuresPerUsername.peek(username);
    for (const decision of [byAddress, byName]) {
      if (!decision.allowed) {
        throw new ChatError('rate_limited', 'too many login attempts; retry later', {
          retryAfterSeconds: decision.retryAfterSeconds,
        });
      }
    }
    const record = await users.byUsername(username.toLowerCase());
    if (!(await verifyPassword(record?.passwordHash ?? null, password)) || !record) {
      await loginFailuresPerUsername.consume(username);
      throw new ChatError('unauthorized', BAD_LOGIN);
    }
    await loginFailuresPerUsername.reset(username);
    return { user: toUser(record), token: await tokens.issue(record.id) };
  }

  /** The user behind a token and when the token expires, or unauthorized. A deleted user's token stops working. */
  async authenticate(token: string): Promise<{ user: UserRecord; expiresAt: number }> {
    const claims = await this.deps.tokens.verify(token);
    const user = claims ? await this.deps.users.byId(claims.userId) : null;
    if (!claims || !user) throw new ChatError('unauthorized', 'invalid or expired token');
    return { user, expiresAt: claims.expiresAt };
  }

  async me(userId: string): Promise<Me> {
    return toMe(await this.requireUser(userId));
  }

  async updateMe(userId: string, patch: PatchMeBody): Promise<Me> {
    const updated = await this.deps.users.update(userId, {
      displayName: patch.displayName,
      avatarUrl: patch.avatarUrl,
      privacyPresence: patch.privacy?.presence,
      privacyLastSeen: patch.privacy?.lastSeen,
    });
    if (!updated) throw new ChatError('not_found', 'user not found');
    return toMe(updated);
  }

  async getUser(userId: string): Promise<User> {
    return toUser(await this.requireUser(userId));
  }

  async search(prefix: string, limit: number): Promise<User[]> {
    return (await this.deps.users.searchByUsernamePrefix(prefix.toLowerCase(), limit)).map(toUser);
  }

  /** Status and last seen, each null where the target's privacy hides it from the viewer. */
  async presenceOf(viewerId: string, targetId: string): Promise<Presence> {
    const target = await this.requireUser(targetId);
    return this.presenceAsSeenBy(viewerId, target, await this.deps.presence.get(targetId));
  }

  /** What one viewer may see of a user's presence snapshot. */
  async presenceAsSeenBy(viewerId: string, target: UserRecord, snapshot: PresenceSnapshot): Promise<Presence> {
    let contact: Promise<boolean> | undefined;
    const isContact = () => {
      contact ??= this.deps.users.isContact(target.id, viewerId);
      return contact;
    };
    const [showStatus, showLastSeen] = await Promise.all([
      mayView(target.privacyPresence, viewerId === target.id, isContact),
      mayView(target.privacyLastSeen, viewerId === target.id, isContact),
    ]);
    return {
      userId: target.id,
      status: showStatus ? snapshot.status : null,
      lastSeen: showLastSeen ? snapshot.lastSeen : null,
    };
  }

  /** The user's record, or null: for listeners that must not throw. */
  findUser(userId: string): Promise<UserRecord | null> {
    return this.deps.users.byId(userId);
  }

  async addContact(ownerId: string, contactId: string): Promise<void> {
    await this.requireOther(ownerId, contactId);
    await this.deps.users.addContact(ownerId, contactId);
  }

  async removeContact(ownerId: string, contactId: string): Promise<void> {
    await this.requireOther(ownerId, contactId);
    await this.deps.users.removeContact(ownerId, contactId);
  }

  async contacts(ownerId: string): Promise<User[]> {
    return (await this.deps.users.listContacts(ownerId)).map(toUser);
  }

  async block(blockerId: string, blockedId: string): Promise<void> {
    await this.requireOther(blockerId, blockedId);
    await this.deps.users.block(blockerId, blockedId);
  }

  async blocked(blockerId: string): Promise<User[]> {
    return (await this.deps.users.listBlocked(blockerId)).map(toUser);
  }

  async unblock(blockerId: string, blockedId: string): Promise<void> {
    await this.requireOther(blockerId, blockedId);
    await this.deps.users.unblock(blockerId, blockedId);
  }

  private async requireUser(userId: string): Promise<UserRecord> {
    const record = await this.deps.users.byId(userId);
    if (!record) throw new ChatError('not_found', 'user not found');
    return record;
  }

  private async requireOther(selfId: string, otherId: string): Promise<void> {
    if (selfId === otherId) throw new ChatError('invalid_request', 'that is your own account');
    await this.requireUser(otherId);
  }
}

function toMe(record: UserRecord): Me {
  return {
    user: toUser(record),
    settings: { privacy: { presence: record.privacyPresence, lastSeen: record.privacyLastSeen } },
  };
}
