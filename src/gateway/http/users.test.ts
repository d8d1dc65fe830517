/**
 * Profiles, privacy, user lookup and search, contacts, blocks and presence,
 * against a real node over a temporary SQLite folder.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, assertUserShape } from '../../testing/assertions.js';
import { startTestServer, type TestServer, type TestUser } from '../../testing/server.js';

const PRIVACY_LEVELS = ['everyone', 'contacts', 'nobody'] as const;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** `{user, settings: {privacy: {presence, lastSeen}}}` exactly. */
function assertMeShape(body: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(body).sort(), ['settings', 'user']);
  assertUserShape(body.user);
  const settings = body.settings as Record<string, unknown>;
  assert.deepEqual(Object.keys(settings), ['privacy']);
  const privacy = settings.privacy as Record<string, unknown>;
  assert.deepEqual(Object.keys(privacy).sort(), ['lastSeen', 'presence']);
  assert.ok(PRIVACY_LEVELS.includes(privacy.presence as never), `presence ${String(privacy.presence)}`);
  assert.ok(PRIVACY_LEVELS.includes(privacy.lastSeen as never), `lastSeen ${String(privacy.lastSeen)}`);
}

function assertPresenceShape(body: Record<string, unknown>, userId: string): void {
  assert.deepEqual(Object.keys(body).sort(), ['lastSeen', 'status', 'userId']);
  assert.equal(body.userId, userId);
  assert.ok(body.status === null || ['online', 'idle', 'offline'].includes(body.status as string), String(body.status));
  assert.ok(body.lastSeen === null || typeof body.lastSeen === 'string');
}

describe('users', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    await server?.close();
  });

  const get = (who: TestUser, path: string) => server.api.request('GET', path, { token: who.token });
  const patchMe = (who: TestUser, body: unknown) =>
    server.api.request('PATCH', '/api/v1/users/me', { token: who.token, body });
  const put = (who: TestUser, path: string) => server.api.request('PUT', path, { token: who.token });
  const del = (who: TestUser, path: string) => server.api.request('DELETE', path, { token: who.token });
  const presence = (viewer: TestUser, target: TestUser) => get(viewer, `/api/v1/users/${target.user.id}/presence`);

  describe('me', () => {
    it('GET /users/me answers {user, settings: {privacy}} with everyone as the default', async () => {
      const a = await server.api.user('me');
      const res = await get(a, '/api/v1/users/me');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertMeShape(res.body);
      assert.deepEqual(res.body.user, a.user);
      assert.deepEqual(res.body.settings.privacy, { presence: 'everyone', lastSeen: 'everyone' });
      assert.doesNotMatch(JSON.stringify(res.body), /password|argon2/i);
    });

    it('PATCH displayName answers the new profile, persists it and shows it to others', async () => {
      const a = await server.api.user('rename');
      const b = await server.api.user('viewer');
      const res = await patchMe(a, { displayName: 'Renamed Person' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertMeShape(res.body);
      assert.equal(res.body.user.displayName, 'Renamed Person');
      assert.equal(res.body.user.username, a.user.username, 'the username is not changed');
      assert.equal((await get(a, '/api/v1/users/me')).body.user.displayName, 'Renamed Person');
      assert.equal((await get(b, `/api/v1/users/${a.user.id}`)).body.user.displayName, 'Renamed Person');
    });

    it('PATCH with an empty, blank or too long displayName is 400 and changes nothing', async () => {
      const a = await server.api.user('blank');
      for (const displayName of ['', '   ', '\t\n', 'x'.repeat(65), null, 42]) {
        assertError(await patchMe(a, { displayName }), 400, 'invalid_request');
      }
      assert.equal((await get(a, '/api/v1/users/me')).body.user.displayName, 'blank');
    });

    it('PATCH avatarUrl accepts http and https URLs and null to clear', async () => {
      const a = await server.api.user('avatar');
      for (const avatarUrl of ['https://cdn.example.com/a.png', 'http://example.org/b.jpg?size=64']) {
        const res = await patchMe(a, { avatarUrl });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.user.avatarUrl, avatarUrl);
        assert.equal((await get(a, '/api/v1/users/me')).body.user.avatarUrl, avatarUrl);
      }
      const cleared = await patchMe(a, { avatarUrl: null });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.user.avatarUrl, null);
    });

    it('PATCH avatarUrl refuses javascript:, data:, other schemes and non-URLs with 400', async () => {
      const a = await server.api.user('xss');
      assert.equal((await patchMe(a, { avatarUrl: 'https://ok.example/x.png' })).status, 200);
      for (const avatarUrl of [
        'javascript:alert(1)',
        'JavaScript:alert(document.cookie)',
        ' javascript:alert(1)',
        'data:image/png;base64,iVBORw0KGgo=',
        'file:///etc/passwd',
        'ftp://example.com/a.png',
        'vbscript:msgbox(1)',
        'not a url',
        '//example.com/a.png',
        '',
        `https://example.com/${'a'.repeat(2100)}`,
      ]) {
        assertError(await patchMe(a, { avatarUrl }), 400, 'invalid_request');
      }
      assert.equal((await get(a, '/api/v1/users/me')).body.user.avatarUrl, 'https://ok.example/x.png');
    });

    it('PATCH privacy sets presence and lastSeen independently to each level', async () => {
      const a = await server.api.user('privacy');
      for (const presenceLevel of PRIVACY_LEVELS) {
        for (const lastSeen of PRIVACY_LEVELS) {
          const res = await patchMe(a, { privacy: { presence: presenceLevel, lastSeen } });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assertMeShape(res.body);
          assert.deepEqual(res.body.settings.privacy, { presence: presenceLevel, lastSeen });
        }
      }
      // A partial change keeps the other field.
      assert.equal((await patchMe(a, { privacy: { presence: 'contacts', lastSeen: 'nobody' } })).status, 200);
      const partial = await patchMe(a, { privacy: { presence: 'everyone' } });
      assert.deepEqual(partial.body.settings.privacy, { presence: 'everyone', lastSeen: 'nobody' });
      const untouched = await patchMe(a, { displayName: 'still private' });
      assert.deepEqual(untouched.body.settings.privacy, { presence: 'everyone', lastSeen: 'nobody' });
      assert.deepEqual((await get(a, '/api/v1/users/me')).body.settings.privacy, {
        presence: 'everyone',
        lastSeen: 'nobody',
      });
    });

    it('PATCH privacy with a bad value is 400 and changes nothing', async () => {
      const a = await server.api.user('badpriv');
      for (const privacy of [
        { presence: 'friends' },
        { lastSeen: 'EVERYONE' },
        { presence: '' },
        { presence: null },
        { lastSeen: ['nobody'] },
        'nobody',
        [],
      ]) {
        assertError(await patchMe(a, { privacy }), 400, 'invalid_request');
      }
      assert.deepEqual((await get(a, '/api/v1/users/me')).body.settings.privacy, {
        presence: 'everyone',
        lastSeen: 'everyone',
      });
    });
  });

  describe('lookup and search', () => {
    it('GET /users/{id} answers {user} and 404 for an unknown id', async () => {
      const a = await server.api.user('lookup');
      const b = await server.api.user('looked');
      const res = await get(a, `/api/v1/users/${b.user.id}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body), ['user']);
      assertUserShape(res.body.user);
      assert.deepEqual(res.body.user, b.user);
      assertError(await get(a, `/api/v1/users/${UNKNOWN_ID}`), 404, 'not_found');
    });

    it('GET /users?search= finds users by username prefix', async () => {
      const viewer = await server.api.user('searcher');
      const tag = `sr${Math.random().toString(36).slice(2, 7)}`;
      const reg = async (suffix: string) => {
        const res = await server.api.request('POST', '/api/v1/auth/register', {
          body: { username: `${tag}${suffix}`, password: 'correct horse battery' },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return res.body.user;
      };
      const alpha = await reg('_alpha');
      const alpine = await reg('_alpine');
      const beta = await reg('_beta');

      const all = await get(viewer, `/api/v1/users?search=${tag}`);
      assert.equal(all.status, 200, JSON.stringify(all.body));
      assert.deepEqual(Object.keys(all.body), ['users']);
      for (const u of all.body.users) assertUserShape(u);
      assert.deepEqual(
        all.body.users.map((u: { username: string }) => u.username).sort(),
        [alpha.username, alpine.username, beta.username].sort(),
      );

      const al = await get(viewer, `/api/v1/users?search=${tag}_al`);
      assert.deepEqual(al.body.users.map((u: { id: string }) => u.id).sort(), [alpha.id, alpine.id].sort());
      const exact = await get(viewer, `/api/v1/users?search=${tag}_beta`);
      assert.deepEqual(exact.body.users, [beta]);
      // A prefix, not a substring.
      const middle = await get(viewer, '/api/v1/users?search=alpha');
      assert.ok(!middle.body.users.some((u: { id: string }) => u.id === alpha.id), 'substring is not a prefix match');
      // Case-insensitive on the query side: usernames are lowercase.
      const upper = await get(viewer, `/api/v1/users?search=${tag.toUpperCase()}_BETA`);
      assert.deepEqual(upper.body.users, [beta]);
    });

    it('GET /users?search= treats %, _ and * literally, not as wildcards', async () => {
      const viewer = await server.api.user('wild');
      const tag = `wc${Math.random().toString(36).slice(2, 7)}`;
      const res = await server.api.request('POST', '/api/v1/auth/register', {
        body: { username: `${tag}xyz`, password: 'correct horse battery' },
      });
      assert.equal(res.status, 201);
      for (const search of [`${tag}%`, `${tag}_yz`, `${tag}*`, `${tag.slice(0, 2)}%${tag.slice(3)}`]) {
        const found = await get(viewer, `/api/v1/users?search=${encodeURIComponent(search)}`);
        assert.equal(found.status, 200, `${search}: ${JSON.stringify(found.body)}`);
        assert.deepEqual(found.body.users, [], `${search} must match nothing`);
      }
    });

    it('GET /users without search, or with an empty one, is 400', async () => {
      const a = await server.api.user('nosearch');
      assertError(await get(a, '/api/v1/users'), 400, 'invalid_request');
      assertError(await get(a, '/api/v1/users?search='), 400, 'invalid_request');
      assertError(await get(a, '/api/v1/users?q=abc'), 400, 'invalid_request');
    });
  });

  describe('contacts', () => {
    it('PUT adds (204), GET lists, DELETE removes (204)', async () => {
      const a = await server.api.user('owner');
      const b = await server.api.user('contact_b');
      const c = await server.api.user('contact_c');
      const empty = await get(a, '/api/v1/users/me/contacts');
      assert.equal(empty.status, 200);
      assert.deepEqual(empty.body, { users: [] });

      const added = await put(a, `/api/v1/users/me/contacts/${b.user.id}`);
      assert.equal(added.status, 204, JSON.stringify(added.body));
      assert.equal(added.body, '', '204 has no body');
      assert.equal((await put(a, `/api/v1/users/me/contacts/${c.user.id}`)).status, 204);
      // Adding again is harmless and does not duplicate.
      assert.equal((await put(a, `/api/v1/users/me/contacts/${b.user.id}`)).status, 204);

      const listed = await get(a, '/api/v1/users/me/contacts');
      assert.equal(listed.status, 200);
      assert.deepEqual(Object.keys(listed.body), ['users']);
      for (const u of listed.body.users) assertUserShape(u);
      assert.deepEqual(listed.body.users, [b.user, c.user]);
      // Contacts are the owner's own list, not mutual.
      assert.deepEqual((await get(b, '/api/v1/users/me/contacts')).body.users, []);

      const removed = await del(a, `/api/v1/users/me/contacts/${b.user.id}`);
      assert.equal(removed.status, 204);
      assert.deepEqual((await get(a, '/api/v1/users/me/contacts')).body.users, [c.user]);
    });

    it('a contact of oneself is 400 and of an unknown user 404', async () => {
      const a = await server.api.user('selfcontact');
      assertError(await put(a, `/api/v1/users/me/contacts/${a.user.id}`), 400, 'invalid_request');
      assertError(await put(a, `/api/v1/users/me/contacts/${UNKNOWN_ID}`), 404, 'not_found');
      assertError(await del(a, `/api/v1/users/me/contacts/${UNKNOWN_ID}`), 404, 'not_found');
      assert.deepEqual((await get(a, '/api/v1/users/me/contacts')).body.users, []);
    });
  });

  describe('blocks', () => {
    it('a blocked user cannot message the blocker; the blocker can; unblocking restores', async () => {
      const blocker = await server.api.user('blocker');
      const pest = await server.api.user('pest');
      const conversationId = await server.api.direct(blocker, pest);
      assert.equal((await server.api.send(pest, conversationId, 'before the block')).status, 201);

      const blocked = await put(blocker, `/api/v1/users/me/blocks/${pest.user.id}`);
      assert.equal(blocked.status, 204, JSON.stringify(blocked.body));
      assert.equal(blocked.body, '');
      assertError(await server.api.send(pest, conversationId, 'while blocked'), 403, 'forbidden');
      // Blocking twice is harmless.
      assert.equal((await put(blocker, `/api/v1/users/me/blocks/${pest.user.id}`)).status, 204);
      assertError(await server.api.send(pest, conversationId, 'still blocked'), 403, 'forbidden');

      const fromBlocker = await server.api.send(blocker, conversationId, 'the blocker may still talk');
      assert.equal(fromBlocker.status, 201, JSON.stringify(fromBlocker.body));

      const history = await get(blocker, `/api/v1/conversations/${conversationId}/messages`);
      assert.equal(history.status, 200);
      assert.deepEqual(
        history.body.messages.map((m: { content: string }) => m.content),
        ['before the block', 'the blocker may still talk'],
        'refused messages are not stored',
      );

      const list = await get(blocker, '/api/v1/users/me/blocks');
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.users.map((u: { id: string }) => u.id),
        [pest.user.id],
      );
      assert.deepEqual((await get(pest, '/api/v1/users/me/blocks')).body.users, [], 'blocks are one way');

      const unblocked = await del(blocker, `/api/v1/users/me/blocks/${pest.user.id}`);
      assert.equal(unblocked.status, 204);
      assert.deepEqual((await get(blocker, '/api/v1/users/me/blocks')).body.users, []);
      const after = await server.api.send(pest, conversationId, 'after the unblock');
      assert.equal(after.status, 201, JSON.stringify(after.body));
      assert.equal(after.body.message.content, 'after the unblock');
    });

    it('a block applies to a direct conversation the blocked user opens afterwards', async () => {
      const blocker = await server.api.user('blocker2');
      const pest = await server.api.user('pest2');
      assert.equal((await put(blocker, `/api/v1/users/me/blocks/${pest.user.id}`)).status, 204);
      const opened = await server.api.request('POST', '/api/v1/conversations', {
        token: pest.token,
        body: { type: 'direct', userId: blocker.user.id },
      });
      if (opened.status === 201 || opened.status === 200) {
        assertError(await server.api.send(pest, opened.body.conversation.id, 'hello?'), 403, 'forbidden');
      } else {
        assert.ok([403, 404].includes(opened.status), `opening answered ${opened.status}`);
      }
    });

    it('blocking only stops the blocked user, not third parties', async () => {
      const blocker = await server.api.user('blocker3');
      const pest = await server.api.user('pest3');
      const friend = await server.api.user('friend3');
      assert.equal((await put(blocker, `/api/v1/users/me/blocks/${pest.user.id}`)).status, 204);
      const withFriend = await server.api.direct(friend, blocker);
      assert.equal((await server.api.send(friend, withFriend, 'hi')).status, 201);
      // The block is one-directional: the blocker was not blocked by the pest.
      const conversationId = await server.api.direct(blocker, pest);
      assert.equal((await server.api.send(blocker, conversationId, 'one way')).status, 201);
    });

    it('blocking oneself is 400 and an unknown user 404', async () => {
      const a = await server.api.user('selfblock');
      assertError(await put(a, `/api/v1/users/me/blocks/${a.user.id}`), 400, 'invalid_request');
      assertError(await put(a, `/api/v1/users/me/blocks/${UNKNOWN_ID}`), 404, 'not_found');
      assertError(await del(a, `/api/v1/users/me/blocks/${UNKNOWN_ID}`), 404, 'not_found');
    });
  });

  describe('presence', () => {
    it('answers {userId, status, lastSeen}, visible to everyone by default', async () => {
      const a = await server.api.user('pres');
      const b = await server.api.user('presviewer');
      const res = await presence(b, a);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertPresenceShape(res.body, a.user.id);
      assert.notEqual(res.body.status, null, 'privacy everyone shows the status');
      assertError(await get(b, `/api/v1/users/${UNKNOWN_ID}/presence`), 404, 'not_found');
    });

    it('with privacy nobody another user sees both null while the owner sees its own status', async () => {
      const a = await server.api.user('hidden');
      const b = await server.api.user('curious');
      assert.equal((await put(a, `/api/v1/users/me/contacts/${b.user.id}`)).status, 204);
      assert.equal((await patchMe(a, { privacy: { presence: 'nobody', lastSeen: 'nobody' } })).status, 200);

      const seen = await presence(b, a);
      assert.equal(seen.status, 200);
      assertPresenceShape(seen.body, a.user.id);
      assert.equal(seen.body.status, null, 'even a contact sees no status under nobody');
      assert.equal(seen.body.lastSeen, null);

      const own = await presence(a, a);
      assert.equal(own.status, 200);
      assertPresenceShape(own.body, a.user.id);
      assert.notEqual(own.body.status, null, 'the owner always sees its own status');
      assert.ok(['online', 'idle', 'offline'].includes(own.body.status));
    });

    it('with privacy contacts a contact sees the status and a non-contact sees null', async () => {
      const a = await server.api.user('selective');
      const contact = await server.api.user('insider');
      const stranger = await server.api.user('outsider');
      assert.equal((await put(a, `/api/v1/users/me/contacts/${contact.user.id}`)).status, 204);
      // The stranger listing the owner as its contact grants nothing: it is the owner's list that counts.
      assert.equal((await put(stranger, `/api/v1/users/me/contacts/${a.user.id}`)).status, 204);
      assert.equal((await patchMe(a, { privacy: { presence: 'contacts', lastSeen: 'contacts' } })).status, 200);

      const byContact = await presence(contact, a);
      assertPresenceShape(byContact.body, a.user.id);
      assert.ok(['online', 'idle', 'offline'].includes(byContact.body.status), String(byContact.body.status));

      const byStranger = await presence(stranger, a);
      assertPresenceShape(byStranger.body, a.user.id);
      assert.equal(byStranger.body.status, null);
      assert.equal(byStranger.body.lastSeen, null);

      // Removing the contact takes the view away again.
      assert.equal((await del(a, `/api/v1/users/me/contacts/${contact.user.id}`)).status, 204);
      assert.equal((await presence(contact, a)).body.status, null);
    });

    it('presence and lastSeen privacy are applied separately', async () => {
      const a = await server.api.user('split');
      const b = await server.api.user('splitviewer');
      assert.equal((await patchMe(a, { privacy: { presence: 'everyone', lastSeen: 'nobody' } })).status, 200);
      const shown = await presence(b, a);
      assert.notEqual(shown.body.status, null);
      assert.equal(shown.body.lastSeen, null);
      assert.equal((await patchMe(a, { privacy: { presence: 'nobody', lastSeen: 'everyone' } })).status, 200);
      const hidden = await presence(b, a);
      assert.equal(hidden.body.status, null);
    });
  });

  describe('conversation lists', () => {
    it("GET /users/{id}/conversations answers 403 for another user's id and 200 for one's own", async () => {
      const a = await server.api.user('lister');
      const b = await server.api.user('snooped');
      const conversationId = await server.api.direct(a, b);
      assert.equal((await server.api.send(b, conversationId, 'private words')).status, 201);

      const snoop = await get(a, `/api/v1/users/${b.user.id}/conversations`);
      assertError(snoop, 403, 'forbidden');
      assert.ok(!JSON.stringify(snoop.body).includes('private words'));
      assertError(await get(a, `/api/v1/users/${UNKNOWN_ID}/conversations`), 403, 'forbidden');

      const own = await get(b, `/api/v1/users/${b.user.id}/conversations`);
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.deepEqual(Object.keys(own.body), ['conversations']);
      assert.deepEqual(
        own.body.conversations.map((c: { id: string }) => c.id),
        [conversationId],
      );
    });
  });
});
