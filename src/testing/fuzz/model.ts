/**
 * Model-based fuzzing of the real-time protocol: random command sequences
 * (connect, send, resend the same clientMsgId, drop, resume, join, leave,
 * token expiry) run against a live server and a tiny model of one group:
 * its dense seqs, who is a member, who is connected. After every command the
 * server's answers must match the model: acks carry the next seq, a repeat
 * answers the first seq, connected members receive each message in order,
 * non-members receive nothing, a resumed device replays in increasing seq,
 * an expired token is refused (401) or closes the open socket (4401).
 */
import fc from 'fast-check';
import { TokenService } from '../../auth/tokens.js';
import { CLOSE_CODES } from '../../protocol/frames.js';
import type { Api, TestUser } from '../server.js';
import { HandshakeRefused, WsClient, WsFrameError } from '../ws.js';
import { checkProperty, type PropertyRun } from './property.js';
import type { FuzzTally } from './target.js';

interface Model {
  lastSeq: number;
  members: boolean[];
  /** user index -> clientMsgId -> seq it was stored at. */
  sent: Map<string, number>[];
  /** Seqs each user may see (while it was a member). */
  visible: Set<number>[];
}

interface Real {
  api: Api;
  url: string;
  users: TestUser[];
  groupId: string;
  sockets: (WsClient | null)[];
  run: number;
  counter: number;
  secret: string;
}

type Cmd = fc.AsyncCommand<Model, Real>;

const isRepeatSafe = (m: Model, user: number) => m.members[user] === true;

class Connect implements Cmd {
  constructor(readonly user: number) {}
  check(m: Model) {
    return m.members.length > this.user;
  }
  async run(_m: Model, r: Real) {
    await r.sockets[this.user]?.close();
    const client = await WsClient.ready(r.url, r.users[this.user]!.token, { deviceId: `m${r.run}u${this.user}` });
    r.sockets[this.user] = client;
  }
  toString() {
    return `connect(${this.user})`;
  }
}

class Drop implements Cmd {
  constructor(readonly user: number) {}
  check() {
    return true;
  }
  async run(_m: Model, r: Real) {
    const socket = r.sockets[this.user];
    if (!socket) return;
    socket.socket.terminate();
    r.sockets[this.user] = null;
  }
  toString() {
    return `drop(${this.user})`;
  }
}

/** Reconnects with the same device: the replay must be increasing and within what the user may see. */
class Resume implements Cmd {
  constructor(readonly user: number) {}
  check() {
    return true;
  }
  async run(m: Model, r: Real) {
    await r.sockets[this.user]?.close();
    const client = await WsClient.ready(r.url, r.users[this.user]!.token, { deviceId: `m${r.run}u${this.user}` });
    r.sockets[this.user] = client;
    const seqs = client.seqs(r.groupId);
    for (let i = 1; i < seqs.length; i++) {
      if (seqs[i]! <= seqs[i - 1]!) throw new Error(`replay not increasing: ${seqs.join(',')}`);
    }
    for (const seq of seqs) {
      if (!m.visible[this.user]!.has(seq)) throw new Error(`user ${this.user} replayed seq ${seq} it may not see`);
    }
  }
  toString() {
    return `resume(${this.user})`;
  }
}

class Send implements Cmd {
  constructor(
    readonly user: number,
    readonly repeat: boolean,
  ) {}
  check(m: Model) {
    return !this.repeat || m.sent[this.user]!.size > 0;
  }
  async run(m: Model, r: Real) {
    const socket = r.sockets[this.user];
    if (!socket) return;
    const previous = [...m.sent[this.user]!.entries()].at(-1);
    const clientMsgId = this.repeat && previous ? previous[0] : `m${r.run}-${++r.counter}`;
    try {
      const ack = await socket.sendMessage(r.groupId, `text ${clientMsgId}`, clientMsgId);
      if (!m.members[this.user]) throw new Error(`non-member ${this.user} got an ack`);
      const seq = ack.message.seq;
      if (this.repeat && previous) {
        if (seq !== previous[1])
          throw new Error(`repeat of ${clientMsgId} answered seq ${seq}, first was ${previous[1]}`);
        return;
      }
      if (seq !== m.lastSeq + 1) throw new Error(`ack seq ${seq}, model expects ${m.lastSeq + 1}`);
      m.lastSeq = seq;
      m.sent[this.user]!.set(clientMsgId, seq);
      markVisible(m, seq);
      await expectLive(m, r, seq);
    } catch (error) {
      if (!(error instanceof WsFrameError)) throw error;
      if (isRepeatSafe(m, this.user)) throw new Error(`member ${this.user} refused: ${error.frame.code}`);
      if (error.frame.code !== 'not_found') throw new Error(`non-member got ${error.frame.code}, expected not_found`);
    }
  }
  toString() {
    return `${this.repeat ? 'resend' : 'send'}(${this.user})`;
  }
}

class Leave implements Cmd {
  constructor(readonly user: number) {}
  check(m: Model) {
    return this.user !== 0 && m.members[this.user] === true;
  }
  async run(m: Model, r: Real) {
    const u = r.users[this.user]!;
    const res = await r.api.request('DELETE', `/api/v1/groups/${r.groupId}/members/${u.user.id}`, { token: u.token });
    if (res.status !== 200) throw new Error(`leave answered ${res.status}`);
    m.lastSeq++;
    markVisible(m, m.lastSeq);
    m.members[this.user] = false;
  }
  toString() {
    return `leave(${this.user})`;
  }
}

class Join implements Cmd {
  constructor(readonly user: number) {}
  check(m: Model) {
    return this.user !== 0 && m.members[this.user] === false;
  }
  async run(m: Model, r: Real) {
    const admin = r.users[0]!;
    const res = await r.api.request('PUT', `/api/v1/groups/${r.groupId}/members`, {
      token: admin.token,
      body: { userId: r.users[this.user]!.user.id },
    });
    if (res.status !== 200) throw new Error(`join answered ${res.status}`);
    m.members[this.user] = true;
    m.lastSeq++;
    markVisible(m, m.lastSeq);
  }
  toString() {
    return `join(${this.user})`;
  }
}

/** A token that expires while connected closes the socket with 4401; an expired one is refused with 401. */
class TokenExpiry implements Cmd {
  constructor(readonly user: number) {}
  check() {
    return true;
  }
  async run(_m: Model, r: Real) {
    const u = r.users[this.user]!;
    const token = await new TokenService(r.secret, 1).issue(u.user.id);
    const client = await WsClient.ready(r.url, token, { deviceId: `exp${r.run}u${this.user}` });
    const code = await client.closedWithin(3_500);
    if (code !== CLOSE_CODES.unauthorized) throw new Error(`expired token closed with ${code}, expected 4401`);
    try {
      await WsClient.connect(r.url, token);
      throw new Error('an expired token was let in');
    } catch (error) {
      if (!(error instanceof HandshakeRefused) || error.status !== 401) throw error;
    }
  }
  toString() {
    return `tokenExpiry(${this.user})`;
  }
}

function markVisible(m: Model, seq: number): void {
  m.members.forEach((member, i) => {
    if (member) m.visible[i]!.add(seq);
  });
}

/** Connected members get the message live; connected non-members get nothing of it. */
async function expectLive(m: Model, r: Real, seq: number): Promise<void> {
  for (const [i, socket] of r.sockets.entries()) {
    if (!socket) continue;
    if (m.members[i]) {
      await socket.until(
        (frames) =>
          frames.some(
            (f) => f.type === 'message:new' && f.message.seq === seq && f.message.conversationId === r.groupId,
          ),
        5_000,
        `user ${i} gets seq ${seq}`,
      );
    } else {
      await socket.ping();
      if (socket.seqs(r.groupId).includes(seq) && !m.visible[i]!.has(seq))
        throw new Error(`non-member ${i} got seq ${seq}`);
    }
    const seqs = socket.seqs(r.groupId);
    for (let k = 1; k < seqs.length; k++) {
      if (seqs[k]! <= seqs[k - 1]!) throw new Error(`user ${i} got seqs out of order: ${seqs.join(',')}`);
    }
  }
}

export interface ModelWorld {
  api: Api;
  url: string;
  /** users[0] is the group admin. */
  users: TestUser[];
  secret: string;
}

export async function fuzzModel(
  world: ModelWorld,
  run: PropertyRun & { maxCommands?: number },
  tally: FuzzTally,
): Promise<void> {
  const n = world.users.length;
  const user = fc.integer({ min: 0, max: n - 1 });
  const commands = [
    user.map((u) => new Connect(u)),
    user.map((u) => new Drop(u)),
    user.map((u) => new Resume(u)),
    user.map((u) => new Send(u, false)),
    user.map((u) => new Send(u, false)),
    user.map((u) => new Send(u, true)),
    user.map((u) => new Leave(u)),
    user.map((u) => new Join(u)),
    fc.constant(new TokenExpiry(n - 1)),
  ];
  let runs = 0;
  await checkProperty(
    fc.asyncProperty(fc.commands(commands, { maxCommands: run.maxCommands ?? 25 }), async (cmds) => {
      runs++;
      const [admin, ...rest] = world.users as [TestUser, ...TestUser[]];
      const res = await world.api.request('POST', '/api/v1/groups', {
        token: admin.token,
        body: { name: `model ${runs}`, memberIds: rest.map((u) => u.user.id) },
      });
      if (res.status !== 201) throw new Error(`group: ${res.status}`);
      const real: Real = {
        api: world.api,
        url: world.url,
        users: world.users,
        groupId: res.body.conversation.id,
        sockets: world.users.map(() => null),
        run: runs,
        counter: 0,
        secret: world.secret,
      };
      const model: Model = {
        lastSeq: 1,
        members: world.users.map(() => true),
        sent: world.users.map(() => new Map()),
        visible: world.users.map(() => new Set([1])),
      };
      try {
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        tally.inputs += [...cmds].length;
      } finally {
        await Promise.all(real.sockets.map((s) => s?.close()));
      }
    }),
    run,
  );
}
