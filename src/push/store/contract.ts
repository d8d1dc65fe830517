/** The PushStore contract, run against SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUsers, id, nextTime, type OpenStorage, token, useStorage } from '../../store/contract/harness.js';
import type { NewPushDevice } from './store.js';

function device(userId: string, overrides: Partial<NewPushDevice> = {}): NewPushDevice {
  return {
    id: id('pd'),
    userId,
    platform: 'ios',
    token: token(64),
    subscription: null,
    createdAt: nextTime(),
    ...overrides,
  };
}

export function describePushStore(name: string, open: OpenStorage): void {
  describe(`PushStore contract: ${name}`, () => {
    const storage = useStorage(open);

    it('registers push targets; the same token again keeps one row and moves to its new user', async () => {
      const [alice, bob] = await createUsers(storage(), 2);
      assert.ok(alice && bob);
      const subscription = {
        endpoint: `https://push.example/${token(8)}`,
        keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) },
      };
      const web = await storage().push.registerDevice(
        device(alice.id, { platform: 'web', token: subscription.endpoint, subscription }),
        10,
      );
      assert.deepEqual(web.subscription, subscription);
      const phone = await storage().push.registerDevice(device(alice.id), 10);
      assert.deepEqual(
        (await storage().push.devicesOf(alice.id)).map((d) => d.id),
        [web.id, phone.id],
      );
      const moved = await storage().push.registerDevice(device(bob.id, { token: phone.token }), 10);
      assert.equal(moved.id, phone.id);
      assert.equal(moved.userId, bob.id);
      assert.deepEqual(
        (await storage().push.devicesOf(alice.id)).map((d) => d.id),
        [web.id],
      );
      assert.equal((await storage().push.deviceById(phone.id))?.userId, bob.id);
      assert.deepEqual(
        (await storage().push.usersWithDevices([alice.id, bob.id, 'nobody'])).sort(),
        [alice.id, bob.id].sort(),
      );
    });

    it('keeps at most maxPerUser targets per user, dropping the oldest', async () => {
      const [carol] = await createUsers(storage(), 1);
      assert.ok(carol);
      const ids: string[] = [];
      for (let n = 0; n < 4; n++) ids.push((await storage().push.registerDevice(device(carol.id), 3)).id);
      assert.deepEqual(
        (await storage().push.devicesOf(carol.id)).map((d) => d.id),
        ids.slice(1),
      );
    });

    it("deletes a target, and with a user only that user's", async () => {
      const [dave, eve] = await createUsers(storage(), 2);
      assert.ok(dave && eve);
      const target = await storage().push.registerDevice(device(dave.id, { platform: 'android' }), 10);
      assert.equal(await storage().push.deleteDevice(target.id, eve.id), false);
      assert.equal(await storage().push.deleteDevice(target.id, dave.id), true);
      assert.equal(await storage().push.deleteDevice(target.id), false);
      assert.equal(await storage().push.deviceById(target.id), null);
      assert.deepEqual(await storage().push.usersWithDevices([dave.id]), []);
    });

    it('mutes and unmutes a conversation', async () => {
      const userId = id('u');
      assert.equal(await storage().push.muteOf(userId, 'c1'), null);
      await storage().push.setMute(userId, 'c1', null);
      assert.deepEqual(await storage().push.muteOf(userId, 'c1'), { until: null });
      await storage().push.setMute(userId, 'c1', '2031-05-01T00:00:00.000Z');
      assert.deepEqual(await storage().push.muteOf(userId, 'c1'), { until: '2031-05-01T00:00:00.000Z' });
      assert.equal(await storage().push.muteOf(userId, 'c2'), null);
      await storage().push.clearMute(userId, 'c1');
      assert.equal(await storage().push.muteOf(userId, 'c1'), null);
    });

    it('reads default settings and patches them field by field', async () => {
      const userId = id('u');
      const defaults = { doNotDisturb: false, doNotDisturbUntil: null, hidePreviews: false };
      assert.deepEqual(await storage().push.settings(userId), defaults);
      assert.deepEqual(await storage().push.updateSettings(userId, { hidePreviews: true }), {
        ...defaults,
        hidePreviews: true,
      });
      const until = '2031-06-01T00:00:00.000Z';
      await storage().push.updateSettings(userId, { doNotDisturb: true, doNotDisturbUntil: until });
      assert.deepEqual(await storage().push.settings(userId), {
        doNotDisturb: true,
        doNotDisturbUntil: until,
        hidePreviews: true,
      });
      await storage().push.updateSettings(userId, { doNotDisturbUntil: null });
      assert.equal((await storage().push.settings(userId)).doNotDisturbUntil, null);
    });

    it('advances the notified mark forward only, one caller owning each step', async () => {
      const userId = id('u');
      assert.equal(await storage().push.advanceNotified(userId, 'c', 3), 0);
      assert.equal(await storage().push.advanceNotified(userId, 'c', 2), 3);
      const racing = await Promise.all([
        storage().push.advanceNotified(userId, 'c', 7),
        storage().push.advanceNotified(userId, 'c', 7),
        storage().push.advanceNotified(userId, 'c', 7),
      ]);
      assert.deepEqual(racing.sort(), [3, 7, 7]);
      assert.equal(await storage().push.advanceNotified(userId, 'other', 1), 0);
    });
  });
}
