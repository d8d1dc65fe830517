/**
 * Seeds a history database directly (bulk INSERTs in big transactions through
 * better-sqlite3, into the server's own migrated schema, full-text index
 * triggers included): one direct conversation between `alice` and `bob` of
 * `conversationMessages` messages and filler conversations between other
 * users up to `totalMessages`, interleaved in time as real traffic would be
 * (the search index is ordered by insertion). Message text is chat-like
 * English drawn from a Zipf distribution over a fixed vocabulary, from a
 * seeded generator, so every run stores the same text.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/store/sqlite/database.js';
import { seedUsers } from './scale.js';

/** Common chat words first: the Zipf rank is the position. */
const VOCABULARY = (
  'i you the to a and it is that we me my in for on be so just are have at do not can what this your ' +
  'ok with will was get all know like no yes now see up but out how if its good go time about there think ' +
  'got one am too when then here come well back love did well today need going want really there tomorrow ' +
  'night home work later sure right call let day thanks make morning take sorry much new way hey great ' +
  'tonight dinner week still weekend maybe after meet already send look nice soon miss yeah long lunch ' +
  'coffee train office meeting phone picture photo movie game party friday saturday sunday monday ' +
  'birthday family kids school doctor traffic weather rain sunny beach holiday flight hotel airport ' +
  'station ticket concert music song book shop store market pizza pasta burger sushi salad wine beer ' +
  'gym run walk bike car bus taxi parking keys wallet laptop charger battery password email message ' +
  'address document project deadline report budget invoice contract client manager team presentation ' +
  'schedule calendar appointment reservation restaurant kitchen garden balcony window door ' +
  'neighbour dog cat vet groceries laundry dishes cleaning repair plumber electrician landlord rent ' +
  'mortgage bank transfer refund receipt delivery package courier tracking warehouse supplier ' +
  'climbing hiking skiing surfing sailing kayak canoe tent campfire mountain valley glacier summit ' +
  'museum gallery theatre opera festival exhibition sculpture painting architecture cathedral castle ' +
  'telescope microscope chemistry physics algebra geometry astronomy volcano earthquake hurricane ' +
  'saxophone violin cello harmonica accordion tambourine xylophone bagpipes ukulele mandolin'
).split(' ');

export const VOCABULARY_SIZE = VOCABULARY.length;

/** A small, fast, seeded generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cumulative Zipf (s = 1) weights over the vocabulary, for inverse-transform sampling. */
const CUMULATIVE = (() => {
  const weights = VOCABULARY.map((_, rank) => 1 / (rank + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => {
    sum += w / total;
    return sum;
  });
})();

function word(random: () => number): string {
  const r = random();
  let lo = 0;
  let hi = CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((CUMULATIVE[mid] ?? 1) < r) lo = mid + 1;
    else hi = mid;
  }
  return VOCABULARY[lo] ?? 'ok';
}

/** 3-14 words: a short chat line. */
export function chatLine(random: () => number): string {
  const n = 3 + Math.floor(random() * 12);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(word(random));
  return words.join(' ');
}

/** The vocabulary rank of a word (0 = most common), for describing search terms. */
export function wordRank(w: string): number {
  return VOCABULARY.indexOf(w);
}

export interface HistorySeed {
  aliceId: string;
  bobId: string;
  conversationId: string;
  conversationMessages: number;
  totalMessages: number;
  seconds: number;
}

export interface SeedOptions {
  conversationMessages: number;
  totalMessages: number;
  fillerConversations: number;
  /** Called with the messages inserted so far. */
  onProgress?: (inserted: number) => void;
}

const BATCH = 50_000;

/**
 * A time-ordered id in UUID version 7 layout: ids of consecutive messages sort
 * together, so the unique index on messages.id grows at its end instead of
 * being written at random pages (as random v4 ids would) — the same index,
 * loaded an order of magnitude faster.
 */
function timeOrderedId(ms: number, counter: number): string {
  const h = ms.toString(16).padStart(12, '0') + counter.toString(16).padStart(20, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The full-text index is built in one pass after the rows are in (FTS5
 * 'rebuild'), not row by row: a per-row trigger, where the schema has one, is
 * dropped for the load and recreated exactly as it was; a schema that indexes
 * in bulk (search_index_state) is told the index reaches the last row.
 */
function withBulkSearchIndex(db: Db, load: () => void): void {
  const trigger = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'messages_fts_insert'")
    .pluck()
    .get() as string | undefined;
  if (trigger) db.exec('DROP TRIGGER messages_fts_insert');
  load();
  db.transaction(() => {
    db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
    if (trigger) db.exec(trigger);
    const bulkState = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_index_state'")
      .get();
    if (bulkState) db.exec('UPDATE search_index_state SET indexed_pos = (SELECT coalesce(max(pos), 0) FROM messages)');
  })();
}

export function seedHistory(db: Db, options: SeedOptions): HistorySeed {
  const started = performance.now();
  const random = rng(20261128);
  const [aliceId = '', bobId = ''] = seedUsers(db, 'hist', 2);
  const fillerUsers = seedUsers(db, 'fill', options.fillerConversations * 2);
  const start = Date.parse('2025-01-01T00:00:00Z');
  const at = (i: number) => new Date(start + i * 1000).toISOString();

  const insertConversation = db.prepare(
    `INSERT INTO conversations (id, type, name, avatar_url, created_by, created_at, last_seq, last_activity_at, send_policy, direct_key)
     VALUES (?, 'direct', NULL, NULL, ?, ?, 0, ?, 'all', ?)`,
  );
  const insertMember = db.prepare(
    `INSERT INTO memberships (conversation_id, user_id, role, joined_at, visible_from_seq, visible_to_seq, sent_seq, delivered_seq, read_seq)
     VALUES (?, ?, 'member', ?, 1, NULL, 0, 0, 0)`,
  );
  const conversations: { id: string; members: [string, string]; seq: number }[] = [];
  const createDirect = (a: string, b: string) => {
    const id = randomUUID();
    insertConversation.run(id, a, at(0), at(0), JSON.stringify([a, b].sort()));
    insertMember.run(id, a, at(0));
    insertMember.run(id, b, at(0));
    conversations.push({ id, members: [a, b], seq: 0 });
  };
  db.transaction(() => {
    createDirect(aliceId, bobId);
    for (let i = 0; i < options.fillerConversations; i++) {
      createDirect(fillerUsers[2 * i] ?? '', fillerUsers[2 * i + 1] ?? '');
    }
  })();

  const insertMessage = db.prepare(
    `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, type, content, created_at)
     VALUES (?, ?, ?, ?, ?, 'text', ?, ?)`,
  );
  const finish = db.prepare(`UPDATE conversations SET last_seq = ?, last_activity_at = ? WHERE id = ?`);
  const markRead = db.prepare(
    `UPDATE memberships SET sent_seq = ?, delivered_seq = ?, read_seq = ? WHERE conversation_id = ?`,
  );
  const main = conversations[0];
  const fillers = conversations.slice(1);
  const total = options.totalMessages;
  // Every `stride`-th message is the big conversation's: interleaved over the whole time span.
  const stride = total / options.conversationMessages;
  let mainCount = 0;
  let inserted = 0;
  // Chats come in bursts: a filler conversation gets 1-40 messages in a row before another's turn.
  let burst = fillers[0];
  let burstLeft = 0;
  const nextFiller = () => {
    if (burstLeft-- <= 0) {
      burst = fillers[Math.floor(random() * fillers.length)];
      burstLeft = Math.floor(random() * 40);
    }
    return burst;
  };
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const isMain = main && mainCount < options.conversationMessages && i >= Math.round(mainCount * stride);
      const conversation = isMain ? main : nextFiller();
      if (!conversation) continue;
      if (isMain) mainCount++;
      conversation.seq++;
      const sender = conversation.members[conversation.seq % 2] ?? '';
      insertMessage.run(
        timeOrderedId(start + i * 1000, i),
        conversation.id,
        conversation.seq,
        sender,
        `seed-${conversation.seq}`,
        chatLine(random),
        at(i),
      );
    }
  });
  withBulkSearchIndex(db, () => {
    for (let from = 0; from < total; from += BATCH) {
      const to = Math.min(total, from + BATCH);
      batch(from, to);
      inserted = to;
      options.onProgress?.(inserted);
    }
  });
  db.transaction(() => {
    for (const c of conversations) {
      finish.run(c.seq, at(total), c.id);
      markRead.run(c.seq, c.seq, c.seq, c.id);
    }
  })();
  return {
    aliceId,
    bobId,
    conversationId: main?.id ?? '',
    conversationMessages: main?.seq ?? 0,
    totalMessages: inserted,
    seconds: (performance.now() - started) / 1000,
  };
}
