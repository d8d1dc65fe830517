/** The MediaStore contract, and media attached to message reads, for every implementation. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { NewMedia } from '../records.js';
import type { Storage } from '../stores.js';
import {
  createGroup,
  createUsers,
  id,
  messageDraft,
  nextTime,
  type OpenStorage,
  rejectsWith,
  systemDraft,
  token,
  useStorage,
} from './harness.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export function newMedia(uploaderId: string, overrides: Partial<NewMedia> = {}): NewMedia {
  const content = token(16);
  return {
    id: id('media'),
    uploaderId,
    sha256: sha(`upload:${content}`),
    kind: 'image',
    mimeType: 'image/png',
    size: 1000,
    blobKey: sha(`served:${content}`),
    fileName: 'photo.png',
    width: 640,
    height: 480,
    durationMs: null,
    thumbnail: { key: sha(`thumb:${content}`), mimeType: 'image/webp', size: 100, width: 320, height: 240 },
    createdAt: nextTime(),
    ...overrides,
  };
}

const GIB = 1024 ** 3;

export function describeMediaStore(name: string, open: OpenStorage): void {
  describe(`MediaStore contract: ${name}`, () => {
    const storage = useStorage(open);

    it('creates media and finds it by id and by upload hash', async () => {
      const [a] = await createUsers(storage(), 1);
      const input = newMedia(a!.id, { fileName: 'naïve ☃.png' });
      const { media, created } = await storage().media.create(input, GIB);
      assert.equal(created, true);
      assert.deepEqual(media, { ...input, lastUsedAt: input.createdAt });
      assert.deepEqual(await storage().media.byId(input.id), media);
      assert.deepEqual(await storage().media.byHash(a!.id, input.sha256), media);
      assert.equal(await storage().media.byId(id('missing')), null);
      assert.equal(await storage().media.byHash(a!.id, sha('other')), null);

      const file = newMedia(a!.id, {
        kind: 'file',
        mimeType: 'application/pdf',
        fileName: null,
        width: null,
        height: null,
        thumbnail: null,
      });
      assert.deepEqual((await storage().media.create(file, GIB)).media, { ...file, lastUsedAt: file.createdAt });
      const video = newMedia(a!.id, { kind: 'video', mimeType: 'video/mp4', durationMs: 12_345 });
      assert.equal((await storage().media.create(video, GIB)).media.durationMs, 12_345);
    });

    it('deduplicates per uploader on the upload hash, also concurrently', async () => {
      const [a, b] = await createUsers(storage(), 2);
      const first = await storage().media.create(newMedia(a!.id), GIB);
      const repeatAt = nextTime();
      const repeat = await storage().media.create(
        newMedia(a!.id, { sha256: first.media.sha256, createdAt: repeatAt }),
        GIB,
      );
      assert.equal(repeat.created, false);
      assert.equal(repeat.media.id, first.media.id);
      assert.equal(repeat.media.lastUsedAt, repeatAt);
      assert.equal(repeat.media.createdAt, first.media.createdAt);

      // Another uploader's identical file is its own item (sharing the blob is fine).
      const other = await storage().media.create(
        newMedia(b!.id, { sha256: first.media.sha256, blobKey: first.media.blobKey }),
        GIB,
      );
      assert.equal(other.created, true);
      assert.notEqual(other.media.id, first.media.id);

      const hash = sha(token());
      const results = await Promise.all(
        Array.from({ length: 8 }, () => storage().media.create(newMedia(a!.id, { sha256: hash }), GIB)),
      );
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.media.id)).size, 1);
    });

    it('counts files and thumbnails against the quota, atomically with the insert', async () => {
      const [a, b] = await createUsers(storage(), 2);
      assert.equal(await storage().media.usage(a!.id), 0);
      const first = await storage().media.create(newMedia(a!.id, { size: 600 }), 1000);
      assert.equal(await storage().media.usage(a!.id), 700);
      const refused = newMedia(a!.id, { size: 250 });
      await rejectsWith(storage().media.create(refused, 1000), 'quota_exceeded');
      assert.equal(await storage().media.byId(refused.id), null);
      assert.equal(await storage().media.usage(a!.id), 700);
      // Exactly at the quota is allowed; a repeat costs nothing.
      await storage().media.create(newMedia(a!.id, { size: 200, thumbnail: null }), 900);
      assert.equal(await storage().media.usage(a!.id), 900);
      const repeat = await storage().media.create(newMedia(a!.id, { sha256: first.media.sha256 }), 900);
      assert.equal(repeat.created, false);
      // Quotas are per uploader.
      assert.equal(await storage().media.usage(b!.id), 0);

      // Concurrent uploads cannot together overshoot it.
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () => storage().media.create(newMedia(b!.id, { size: 150, thumbnail: null }), 500)),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
      assert.equal(await storage().media.usage(b!.id), 450);
    });

    it('touches only the uploader’s own media, forward only', async () => {
      const [a, b] = await createUsers(storage(), 2);
      const { media } = await storage().media.create(newMedia(a!.id), GIB);
      const later = nextTime();
      assert.equal((await storage().media.touch(media.id, a!.id, later))?.lastUsedAt, later);
      assert.equal((await storage().media.touch(media.id, a!.id, media.createdAt))?.lastUsedAt, later);
      assert.equal(await storage().media.touch(media.id, b!.id, nextTime()), null);
      assert.equal(await storage().media.touch(id('missing'), a!.id, nextTime()), null);
      assert.equal((await storage().media.byId(media.id))?.lastUsedAt, later);
    });

    it('lets the uploader and members within their window read media sent in a conversation', async () => {
      const [a, b, c, stranger] = await createUsers(storage(), 4);
      const { conversation: group } = await createGroup(storage(), a!.id, [b!.id, c!.id]);
      const before = (await storage().media.create(newMedia(a!.id), GIB)).media;
      const afterRemoval = (await storage().media.create(newMedia(a!.id), GIB)).media;
      const unsent = (await storage().media.create(newMedia(a!.id), GIB)).media;
      const deleted = (await storage().media.create(newMedia(a!.id), GIB)).media;

      const can = (mediaId: string, userId: string) => storage().media.canRead(mediaId, userId);
      await storage().messages.append(messageDraft(group.id, a!.id, '', { type: 'image', mediaId: before.id }));
      const gone = await storage().messages.append(
        messageDraft(group.id, a!.id, '', { type: 'image', mediaId: deleted.id }),
      );
      await storage().messages.softDelete(gone.message.id, nextTime());
      await storage().conversations.removeMember(group.id, c!.id, systemDraft(a!.id, 'member_removed', c!.id));
      await storage().messages.append(messageDraft(group.id, a!.id, '', { type: 'image', mediaId: afterRemoval.id }));

      assert.equal(await can(before.id, a!.id), true);
      assert.equal(await can(before.id, b!.id), true);
      assert.equal(await can(before.id, c!.id), true, 'a removed member keeps what it saw');
      assert.equal(await can(before.id, stranger!.id), false);
      assert.equal(await can(afterRemoval.id, b!.id), true);
      assert.equal(await can(afterRemoval.id, c!.id), false, 'nothing sent after the removal');
      assert.equal(await can(unsent.id, a!.id), true, 'the uploader reads its own media');
      assert.equal(await can(unsent.id, b!.id), false);
      assert.equal(await can(deleted.id, b!.id), false, 'deleting the message takes the media with it');
      assert.equal(await can(deleted.id, a!.id), true);
      assert.equal(await can(id('missing'), a!.id), false);

      // A member added later sees from its add message on only.
      const [d] = await createUsers(storage(), 1);
      await storage().conversations.addMember(group.id, d!.id, 'member', 10, systemDraft(a!.id, 'member_added', d!.id));
      assert.equal(await can(before.id, d!.id), false);
      const resent = await storage().messages.append(
        messageDraft(group.id, a!.id, 'again', { type: 'image', mediaId: before.id }),
      );
      assert.equal(resent.message.media?.id, before.id);
      assert.equal(await can(before.id, d!.id), true, 'forwarded again, within its window');
    });

    it('attaches media to every message read, in one lookup per page', async () => {
      const [a, b] = await createUsers(storage(), 2);
      const { conversation } = await storage().conversations.getOrCreateDirect(id('d'), a!.id, b!.id, nextTime());
      const image = (await storage().media.create(newMedia(a!.id), GIB)).media;
      const word = token(8);
      const appended = await storage().messages.append(
        messageDraft(conversation.id, a!.id, `caption ${word}`, { type: 'image', mediaId: image.id }),
      );
      assert.deepEqual(appended.message.media, image);
      const text = await storage().messages.append(messageDraft(conversation.id, b!.id, `plain ${word}`));
      assert.equal('media' in text.message, false);
      const dangling = await storage().messages.append(
        messageDraft(conversation.id, a!.id, '', { type: 'file', mediaId: id('missing') }),
      );
      assert.equal(dangling.message.media, undefined);
      const repeat = await storage().messages.append(
        messageDraft(conversation.id, a!.id, '', {
          clientMsgId: appended.message.clientMsgId,
          type: 'image',
          mediaId: image.id,
        }),
      );
      assert.equal(repeat.created, false);
      assert.deepEqual(repeat.message.media, image);

      assert.deepEqual((await storage().messages.byId(appended.message.id))?.media, image);
      assert.deepEqual((await storage().messages.bySeq(conversation.id, 1))?.media, image);
      const page = await storage().messages.page(conversation.id, { fromSeq: 1, toSeq: 3 }, { limit: 10 });
      assert.deepEqual(
        page.messages.map((m) => m.media?.id ?? null),
        [image.id, null, null],
      );
      const after = await storage().messages.page(conversation.id, { fromSeq: 1, toSeq: 3 }, { limit: 10, after: 0 });
      assert.deepEqual(after.messages[0]?.media, image);
      const hits = await storage().messages.search(a!.id, word, { limit: 10 });
      assert.deepEqual(
        hits.map((h) => h.message.media?.id ?? null),
        [null, image.id],
      );
      const edited = await storage().messages.edit(appended.message.id, 'new caption', nextTime());
      assert.deepEqual(edited?.media, image);

      const last = await storage().messages.append(
        messageDraft(conversation.id, b!.id, '', { type: 'image', mediaId: image.id }),
      );
      const list = await storage().conversations.listForUser(a!.id);
      assert.deepEqual(list.find((e) => e.conversation.id === conversation.id)?.lastMessage?.media, image);

      const deleted = await storage().messages.softDelete(last.message.id, nextTime());
      assert.equal(deleted?.mediaId, null);
      assert.equal(deleted?.media, undefined);
      assert.equal((await storage().messages.byId(last.message.id))?.media, undefined);
    });

    it('sweeps media no message carries once unused past the cutoff, and tells which blobs are in use', async () => {
      const [a, b] = await createUsers(storage(), 2);
      const { conversation } = await storage().conversations.getOrCreateDirect(id('d'), a!.id, b!.id, nextTime());
      const orphan = (await storage().media.create(newMedia(a!.id), GIB)).media;
      const attached = (await storage().media.create(newMedia(a!.id), GIB)).media;
      const touched = (await storage().media.create(newMedia(a!.id), GIB)).media;
      const unsent = (await storage().media.create(newMedia(a!.id), GIB)).media;
      const sharedBlob = (await storage().media.create(newMedia(b!.id, { blobKey: orphan.blobKey }), GIB)).media;
      const sent = await storage().messages.append(
        messageDraft(conversation.id, a!.id, '', { type: 'image', mediaId: attached.id }),
      );
      const cutoff = nextTime();
      const recent = (await storage().media.create(newMedia(a!.id), GIB)).media;
      await storage().media.touch(touched.id, a!.id, nextTime());

      assert.equal(await storage().media.blobInUse(orphan.blobKey), true);
      assert.equal(await storage().media.blobInUse(orphan.thumbnail!.key), true);

      const first = await storage().media.deleteUnreferenced(cutoff, 2);
      const second = await storage().media.deleteUnreferenced(cutoff, 100);
      assert.equal(first.length, 2, 'the limit holds');
      const swept = [...first, ...second].map((m) => m.id).sort();
      // Other tests' media may be swept too (a shared database); ours are exactly these.
      const ours = new Set([orphan.id, attached.id, touched.id, unsent.id, sharedBlob.id, recent.id]);
      assert.deepEqual(
        swept.filter((mediaId) => ours.has(mediaId)),
        [orphan.id, unsent.id, sharedBlob.id].sort(),
      );
      for (const gone of [orphan, unsent, sharedBlob]) assert.equal(await storage().media.byId(gone.id), null);
      for (const kept of [attached, touched, recent]) assert.ok(await storage().media.byId(kept.id));
      assert.equal(await storage().media.blobInUse(orphan.blobKey), false);
      assert.equal(await storage().media.blobInUse(orphan.thumbnail!.key), false);
      assert.equal(await storage().media.blobInUse(attached.blobKey), true);
      assert.deepEqual(await storage().media.deleteUnreferenced(cutoff, 0), []);

      // Once every message carrying it is deleted, the media is unreferenced too.
      await storage().messages.softDelete(sent.message.id, nextTime());
      const later = await storage().media.deleteUnreferenced(nextTime(), 100);
      assert.ok(later.some((m) => m.id === attached.id));
    });

    it('keeps media after a restart', async (t) => {
      const harness = await open();
      try {
        if (!harness.reopen) {
          t.skip('the harness cannot reopen');
          return;
        }
        const [a] = await createUsers(harness.storage, 1);
        const { media } = await harness.storage.media.create(newMedia(a!.id), GIB);
        const reopened: Storage = await harness.reopen();
        assert.deepEqual(await reopened.media.byId(media.id), media);
        assert.equal(await reopened.media.usage(a!.id), 1100);
      } finally {
        await harness.cleanup();
      }
    });
  });
}
