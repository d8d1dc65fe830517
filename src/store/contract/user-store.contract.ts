/** The UserStore contract, run against every implementation through a factory. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUsers, id, newUser, type OpenStorage, rejectsWith, token, useStorage } from './harness.js';

export function describeUserStore(name: string, open: OpenStorage): void {
  describe(`UserStore contract: ${name}`, () => {
    const storage = useStorage(open);

    it('creates a user with default privacy and finds it by id, username and ids', async () => {
      const input = newUser({ phone: '+15550100' });
      const user = await storage().users.create(input);
      assert.deepEqual(user, {
        id: input.id,
        username: input.username,
        displayName: input.displayName,
        avatarUrl: null,
        phone: '+15550100',
        passwordHash: input.passwordHash,
        createdAt: input.createdAt,
        privacyPresence: 'everyone',
        privacyLastSeen: 'everyone',
      });
      assert.deepEqual(await storage().users.byId(input.id), user);
      assert.deepEqual(await storage().users.byUsername(input.username), user);
      assert.equal(await storage().users.byId(id('missing')), null);
      assert.equal(await storage().users.byUsername(`missing${token()}`), null);
    });

    it('byIds returns the existing users, each once', async () => {
      const [a, b] = await createUsers(storage(), 2);
      const found = await storage().users.byIds([b!.id, id('missing'), a!.id, b!.id]);
      assert.deepEqual(found.map((u) => u.id).sort(), [a!.id, b!.id].sort());
      assert.deepEqual(await storage().users.byIds([]), []);
    });

    it('refuses a taken username with username_taken and keeps the first user', async () => {
      const first = await storage().users.create(newUser());
      await rejectsWith(storage().users.create(newUser({ username: first.username })), 'username_taken');
      assert.equal((await storage().users.byUsername(first.username))?.id, first.id);
      // A failed create leaves nothing behind.
      const again = newUser({ username: first.username });
      await rejectsWith(storage().users.create(again), 'username_taken');
      assert.equal(await storage().users.byId(again.id), null);
    });

    it('searches usernames by prefix, alphabetically, up to the limit', async () => {
      const p = token(8);
      for (const suffix of ['bob', 'alice', 'alfred', 'al', 'a_x', 'abx']) {
        await storage().users.create(newUser({ username: p + suffix }));
      }
      await storage().users.create(newUser({ username: token(8) + p }));
      const names = async (prefix: string, limit: number) =>
        (await storage().users.searchByUsernamePrefix(prefix, limit)).map((u) => u.username);
      assert.deepEqual(await names(`${p}al`, 10), [`${p}al`, `${p}alfred`, `${p}alice`]);
      assert.deepEqual(await names(p, 3), [`${p}a_x`, `${p}abx`, `${p}al`]);
      // `_` and `%` are plain characters, not wildcards.
      assert.deepEqual(await names(`${p}a_`, 10), [`${p}a_x`]);
      assert.deepEqual(await names(`${p}%`, 10), []);
      assert.deepEqual(await names(`${p}zz`, 10), []);
    });

    it('updates only the patched fields and answers null for a missing user', async () => {
      const user = await storage().users.create(newUser());
      const updated = await storage().users.update(user.id, {
        displayName: 'Renamed',
        avatarUrl: 'https://example.test/a.png',
        privacyLastSeen: 'nobody',
      });
      assert.deepEqual(updated, {
        ...user,
        displayName: 'Renamed',
        avatarUrl: 'https://example.test/a.png',
        privacyLastSeen: 'nobody',
      });
      const again = await storage().users.update(user.id, { avatarUrl: null, privacyPresence: 'contacts' });
      assert.equal(again?.avatarUrl, null);
      assert.equal(again?.privacyPresence, 'contacts');
      assert.equal(again?.displayName, 'Renamed');
      assert.deepEqual(await storage().users.update(user.id, {}), again);
      assert.equal(await storage().users.update(id('missing'), { displayName: 'x' }), null);
    });

    it('keeps contacts in the order added, one-way, idempotent', async () => {
      const [owner, a, b, c] = await createUsers(storage(), 4);
      const users = storage().users;
      await users.addContact(owner!.id, b!.id);
      await users.addContact(owner!.id, c!.id);
      await users.addContact(owner!.id, a!.id);
      await users.addContact(owner!.id, b!.id);
      assert.deepEqual(
        (await users.listContacts(owner!.id)).map((u) => u.id),
        [b!.id, c!.id, a!.id],
      );
      assert.equal(await users.isContact(owner!.id, c!.id), true);
      assert.equal(await users.isContact(c!.id, owner!.id), false);
      assert.deepEqual(await users.listContacts(c!.id), []);

      await users.removeContact(owner!.id, c!.id);
      await users.removeContact(owner!.id, c!.id);
      assert.equal(await users.isContact(owner!.id, c!.id), false);
      assert.deepEqual(
        (await users.listContacts(owner!.id)).map((u) => u.id),
        [b!.id, a!.id],
      );
      // The listed records are full users.
      assert.equal((await users.listContacts(owner!.id))[0]?.username, b!.username);
    });

    it('blocks one way, idempotently, until unblocked', async () => {
      const [a, b] = await createUsers(storage(), 2);
      const users = storage().users;
      assert.equal(await users.isBlocked(a!.id, b!.id), false);
      await users.block(a!.id, b!.id);
      await users.block(a!.id, b!.id);
      assert.equal(await users.isBlocked(a!.id, b!.id), true);
      assert.equal(await users.isBlocked(b!.id, a!.id), false);
      assert.deepEqual(
        (await users.listBlocked(a!.id)).map((u) => u.id),
        [b!.id],
      );
      assert.deepEqual(await users.listBlocked(b!.id), []);
      await users.unblock(a!.id, b!.id);
      assert.equal(await users.isBlocked(a!.id, b!.id), false);
      assert.deepEqual(await users.listBlocked(a!.id), []);
      await users.unblock(a!.id, b!.id);
      assert.equal(await users.isBlocked(a!.id, b!.id), false);
    });
  });
}
