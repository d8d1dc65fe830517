/** Part of the ConversationStore contract: group membership changes and their windows. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Storage } from '../stores.js';
import { createGroup, createUsers, id, messageDraft, rejectsWith, systemDraft } from './harness.js';

export function describeMembershipWindows(storage: () => Storage): void {
  it('adds a member visible from its system message, with watermarks just below it', async () => {
    const [admin, b, c] = await createUsers(storage(), 3);
    const { conversation } = await createGroup(storage(), admin!.id, [b!.id]);
    await storage().messages.append(messageDraft(conversation.id, b!.id, 'before c'));
    const system = systemDraft(admin!.id, 'member_added', c!.id);
    const change = await storage().conversations.addMember(conversation.id, c!.id, 'member', 10, system);
    assert.equal(change.message.seq, 3);
    assert.equal(change.message.id, system.id);
    assert.equal(change.message.type, 'system');
    assert.equal(change.message.clientMsgId, `system:${system.id}`);
    assert.deepEqual(change.message.system, system.system);
    assert.equal(change.conversation.lastSeq, 3);
    const added = change.conversation.members.find((m) => m.userId === c!.id);
    assert.ok(added, 'the new member is listed');
    assert.equal(added.role, 'member');
    assert.equal(added.joinedAt, system.createdAt);
    assert.equal(added.visibleFromSeq, 3);
    assert.equal(added.visibleToSeq, null);
    assert.deepEqual([added.sentSeq, added.deliveredSeq, added.readSeq], [2, 2, 2]);
    // Oldest first: the later joiner comes last.
    assert.deepEqual(
      change.conversation.members
        .map((m) => m.userId)
        .slice(0, 2)
        .sort(),
      [admin!.id, b!.id].sort(),
    );
    assert.equal(change.conversation.members.at(-1)?.userId, c!.id);
    assert.deepEqual(await storage().conversations.membership(conversation.id, c!.id), added);
    // The new member can post.
    const posted = await storage().messages.append(messageDraft(conversation.id, c!.id, 'hi from c'));
    assert.equal(posted.message.seq, 4);
  });

  it('refuses already_member, member_limit and conversation_not_found, changing nothing', async () => {
    const [admin, b, c] = await createUsers(storage(), 3);
    const { conversation } = await createGroup(storage(), admin!.id, [b!.id]);
    const cs = storage().conversations;
    await rejectsWith(
      cs.addMember(conversation.id, b!.id, 'member', 10, systemDraft(admin!.id, 'member_added', b!.id)),
      'already_member',
    );
    await rejectsWith(
      cs.addMember(conversation.id, c!.id, 'member', 2, systemDraft(admin!.id, 'member_added', c!.id)),
      'member_limit',
    );
    await rejectsWith(
      cs.addMember(id('missing'), c!.id, 'member', 10, systemDraft(admin!.id, 'member_added', c!.id)),
      'conversation_not_found',
    );
    const after = await cs.byId(conversation.id);
    assert.equal(after?.lastSeq, 1, 'no system message was posted');
    assert.equal(await cs.membership(conversation.id, c!.id), null);
    // At the limit minus one it fits.
    const change = await cs.addMember(
      conversation.id,
      c!.id,
      'admin',
      3,
      systemDraft(admin!.id, 'member_added', c!.id),
    );
    assert.equal(change.conversation.members.find((m) => m.userId === c!.id)?.role, 'admin');
  });

  it('closes a removed member window at its removal message and reopens it on re-add', async () => {
    const [admin, b] = await createUsers(storage(), 2);
    const { conversation } = await createGroup(storage(), admin!.id, [b!.id]);
    const cs = storage().conversations;
    await storage().messages.append(messageDraft(conversation.id, admin!.id, 'seq 2'));
    const removal = await cs.removeMember(conversation.id, b!.id, systemDraft(admin!.id, 'member_removed', b!.id));
    assert.equal(removal.message.seq, 3);
    assert.equal(removal.message.type, 'system');
    assert.deepEqual(
      removal.conversation.members.map((m) => m.userId),
      [admin!.id],
    );
    const closed = await cs.membership(conversation.id, b!.id);
    assert.equal(closed?.visibleFromSeq, 1);
    assert.equal(closed?.visibleToSeq, 3);
    assert.deepEqual(await cs.listForUser(b!.id), []);

    await rejectsWith(
      cs.removeMember(conversation.id, b!.id, systemDraft(admin!.id, 'member_removed', b!.id)),
      'not_member',
    );
    await rejectsWith(storage().messages.append(messageDraft(conversation.id, b!.id, 'let me in')), 'not_member');
    await storage().messages.append(messageDraft(conversation.id, admin!.id, 'seq 4'));

    const readd = await cs.addMember(
      conversation.id,
      b!.id,
      'member',
      10,
      systemDraft(admin!.id, 'member_added', b!.id),
    );
    assert.equal(readd.message.seq, 5);
    const reopened = await cs.membership(conversation.id, b!.id);
    assert.equal(reopened?.visibleFromSeq, 5);
    assert.equal(reopened?.visibleToSeq, null);
    assert.deepEqual([reopened?.sentSeq, reopened?.deliveredSeq, reopened?.readSeq], [4, 4, 4]);
    assert.deepEqual(
      (await cs.listForUser(b!.id)).map((e) => e.conversation.id),
      [conversation.id],
    );
    assert.equal((await storage().messages.append(messageDraft(conversation.id, b!.id, 'back'))).message.seq, 6);
  });

  it('lets a leaving member post its own removal message', async () => {
    const [admin, b] = await createUsers(storage(), 2);
    const { conversation } = await createGroup(storage(), admin!.id, [b!.id]);
    const left = await storage().conversations.removeMember(
      conversation.id,
      b!.id,
      systemDraft(b!.id, 'member_left', b!.id),
    );
    assert.equal(left.message.senderId, b!.id);
    assert.equal((await storage().conversations.membership(conversation.id, b!.id))?.visibleToSeq, left.message.seq);
  });

  it('promotes the oldest remaining member when the last admin leaves', async () => {
    const [admin, b, c] = await createUsers(storage(), 3);
    const { conversation } = await createGroup(storage(), admin!.id, [b!.id]);
    const cs = storage().conversations;
    await cs.addMember(conversation.id, c!.id, 'member', 10, systemDraft(admin!.id, 'member_added', c!.id));
    const change = await cs.removeMember(conversation.id, admin!.id, systemDraft(admin!.id, 'member_left', admin!.id));
    const roles = Object.fromEntries(change.conversation.members.map((m) => [m.userId, m.role]));
    assert.deepEqual(roles, { [b!.id]: 'admin', [c!.id]: 'member' });
    assert.deepEqual(await cs.byId(conversation.id), change.conversation);
  });

  it('promotes nobody while another admin remains', async () => {
    const [admin, b, c] = await createUsers(storage(), 3);
    const { conversation } = await createGroup(storage(), admin!.id, [b!.id]);
    const cs = storage().conversations;
    await cs.addMember(conversation.id, c!.id, 'admin', 10, systemDraft(admin!.id, 'member_added', c!.id));
    const change = await cs.removeMember(conversation.id, admin!.id, systemDraft(admin!.id, 'member_left', admin!.id));
    const roles = Object.fromEntries(change.conversation.members.map((m) => [m.userId, m.role]));
    assert.deepEqual(roles, { [b!.id]: 'member', [c!.id]: 'admin' });
  });

  it('removes the last member without error, leaving no current member', async () => {
    const [admin] = await createUsers(storage(), 1);
    const { conversation } = await createGroup(storage(), admin!.id, []);
    const change = await storage().conversations.removeMember(
      conversation.id,
      admin!.id,
      systemDraft(admin!.id, 'member_left', admin!.id),
    );
    assert.deepEqual(change.conversation.members, []);
    assert.equal(change.conversation.lastSeq, 2);
  });

  it('sets the role of a current member only, posting the system message', async () => {
    const [admin, b, c] = await createUsers(storage(), 3);
    const { conversation } = await createGroup(storage(), admin!.id, [b!.id, c!.id]);
    const cs = storage().conversations;
    const system = systemDraft(admin!.id, 'role_changed', b!.id);
    const change = await cs.setRole(conversation.id, b!.id, 'admin', system);
    assert.equal(change.message.seq, 2);
    assert.equal(change.message.id, system.id);
    assert.equal(change.conversation.members.find((m) => m.userId === b!.id)?.role, 'admin');
    assert.equal((await cs.membership(conversation.id, b!.id))?.role, 'admin');

    await cs.removeMember(conversation.id, c!.id, systemDraft(admin!.id, 'member_removed', c!.id));
    await rejectsWith(
      cs.setRole(conversation.id, c!.id, 'admin', systemDraft(admin!.id, 'role_changed', c!.id)),
      'not_member',
    );
    await rejectsWith(
      cs.setRole(conversation.id, id('nobody'), 'admin', systemDraft(admin!.id, 'role_changed')),
      'not_member',
    );
    await rejectsWith(
      cs.setRole(id('missing'), b!.id, 'admin', systemDraft(admin!.id, 'role_changed')),
      'conversation_not_found',
    );
    assert.equal((await cs.membership(conversation.id, c!.id))?.role, 'member');
    assert.equal((await cs.byId(conversation.id))?.lastSeq, 3);
  });
}
