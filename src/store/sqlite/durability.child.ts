/**
 * Test helper process for sqlite.test.ts: appends messages in concurrent
 * bursts and prints "ack <id> <seq>" for each one acknowledged, until the test
 * kills it with SIGKILL. Usage: node --import tsx durability.child.ts <db path>
 */
import { randomUUID } from 'node:crypto';
import { openSqliteStorage } from './index.js';

const path = process.argv[2];
if (!path) throw new Error('usage: durability.child.ts <db path>');

const storage = await openSqliteStorage({ path });
const now = () => new Date().toISOString();
const [a, b] = await Promise.all(
  ['a', 'b'].map((name) =>
    storage.users.create({
      id: randomUUID(),
      username: `${name}${randomUUID().slice(0, 8)}`,
      displayName: name,
      phone: null,
      passwordHash: 'x',
      createdAt: now(),
    }),
  ),
);
const { conversation } = await storage.conversations.getOrCreateDirect(randomUUID(), a!.id, b!.id, now());
process.stdout.write(`ready ${conversation.id}\n`);

for (let burst = 0; ; burst++) {
  await Promise.all(
    Array.from({ length: 25 }, async (_, i) => {
      const { message } = await storage.messages.append({
        id: randomUUID(),
        conversationId: conversation.id,
        senderId: i % 2 ? a!.id : b!.id,
        clientMsgId: `${burst}-${i}`,
        type: 'text',
        content: `burst ${burst} message ${i}`,
        mediaId: null,
        replyToId: null,
        createdAt: now(),
        system: null,
      });
      process.stdout.write(`ack ${message.id} ${message.seq}\n`);
    }),
  );
}
