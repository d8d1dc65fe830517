/**
 * The users and conversations of a run, drawn from its seed: half the
 * conversations 1:1, half groups of 5-20, every client in at least one.
 */
import type { ConversationTruth } from './history.js';
import type { RestClient } from './rest.js';
import type { Rng } from './rng.js';

export interface Member {
  index: number;
  userId: string;
  token: string;
}

export interface Population {
  members: Member[];
  /** Conversation truths without their stored messages yet. */
  conversations: ConversationTruth[];
}

export async function populate(
  rest: RestClient,
  rng: Rng,
  clients: number,
  conversations: number,
): Promise<Population> {
  const tag = Math.floor(rng.next() * 36 ** 5).toString(36);
  const members: Member[] = new Array(clients);
  let nextIndex = 0;
  const worker = async () => {
    for (;;) {
      const index = nextIndex++;
      if (index >= clients) return;
      const body = { username: `x${tag}_${index}`, password: 'chaos chaos chaos' };
      const res = await rest.call<{ user: { id: string }; token: string }>('POST', '/api/v1/auth/register', { body });
      members[index] = { index, userId: res.user.id, token: res.token };
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));

  const shuffled = rng.sample(members, members.length);
  const directs = Math.min(Math.floor(conversations / 2), Math.floor(clients / 2));
  const groups = conversations - directs;
  const truths: ConversationTruth[] = [];
  for (let i = 0; i < directs; i++) {
    const a = shuffled[2 * i] as Member;
    const b = shuffled[2 * i + 1] as Member;
    const res = await rest.call<{ conversation: { id: string } }>('POST', '/api/v1/conversations', {
      token: a.token,
      body: { type: 'direct', userId: b.userId },
    });
    truths.push({
      id: res.conversation.id,
      kind: 'direct',
      members: [a, b].map((m) => ({ userId: m.userId, fromSeq: 1, toSeq: null })),
      stored: [],
    });
  }
  // Everyone not in a 1:1 seeds the groups first; the rest of each group is drawn at random.
  const left = shuffled.slice(2 * directs);
  const plans: Member[][] = Array.from({ length: groups }, () => []);
  for (const [i, member] of left.entries()) plans[i % Math.max(1, groups)]?.push(member);
  for (const plan of plans) {
    const size = Math.min(members.length, Math.max(plan.length, rng.int(5, 20)));
    for (const extra of rng.sample(members, members.length)) {
      if (plan.length >= size) break;
      if (!plan.includes(extra)) plan.push(extra);
    }
    const [admin, ...rest_] = plan as [Member, ...Member[]];
    const res = await rest.call<{ conversation: { id: string } }>('POST', '/api/v1/groups', {
      token: admin.token,
      body: { name: `chaos ${truths.length}`, memberIds: rest_.map((m) => m.userId) },
    });
    truths.push({
      id: res.conversation.id,
      kind: 'group',
      members: plan.map((m) => ({ userId: m.userId, fromSeq: 1, toSeq: null })),
      stored: [],
    });
  }
  return { members, conversations: truths };
}
