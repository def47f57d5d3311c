import { BrokerContext } from '../broker-context';
import { ByteReader, ByteWriter } from '../protocol/bytes';
import { ErrorCode } from '../protocol/errors';

/** JoinGroup v0-v2: answered when the group's rebalance completes. */
export function handleJoinGroup(ctx: BrokerContext, r: ByteReader, version: number, clientId: string): Promise<Buffer> {
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = version >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  const protocolType = r.string();
  const protocols = r.array((x) => ({ name: x.string(), metadata: Buffer.from(x.bytes()) }));
  return new Promise((resolve) => {
    const respond = (result: import('../group/consumer-group').JoinResult) => {
      const w = new ByteWriter();
      if (version >= 2) w.int32(0);
      w.int16(result.errorCode).int32(result.generationId).string(result.protocolName).string(result.leaderId).string(result.memberId);
      w.array(result.members, (x, m) => x.string(m.memberId).bytes(m.metadata));
      resolve(w.toBuffer());
    };
    if (!groupId) return respond({ errorCode: ErrorCode.INVALID_GROUP_ID, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] });
    ctx.group(groupId).join({ memberId, clientId, sessionTimeoutMs, rebalanceTimeoutMs, protocolType, protocols }, respond);
  });
}

/** SyncGroup v0/v1: the leader's assignments are handed to every member. */
export function handleSyncGroup(ctx: BrokerContext, r: ByteReader, version: number): Promise<Buffer> {
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  const assignments = r.array((x) => ({ memberId: x.string(), assignment: Buffer.from(x.bytes()) }));
  return new Promise((resolve) => {
    ctx.group(groupId).sync(generationId, memberId, assignments, ({ errorCode, assignment }) => {
      const w = new ByteWriter();
      if (version >= 1) w.int32(0);
      resolve(w.int16(errorCode).bytes(assignment).toBuffer());
    });
  });
}

export function handleHeartbeat(ctx: BrokerContext, r: ByteReader, version: number): Buffer {
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  const w = new ByteWriter();
  if (version >= 1) w.int32(0);
  return w.int16(ctx.group(groupId).heartbeat(generationId, memberId)).toBuffer();
}

export function handleLeaveGroup(ctx: BrokerContext, r: ByteReader, version: number): Buffer {
  const groupId = r.string();
  const memberId = r.string();
  const w = new ByteWriter();
  if (version >= 1) w.int32(0);
  return w.int16(ctx.group(groupId).leave(memberId)).toBuffer();
}

/** OffsetCommit v2, persisted before the answer. */
export function handleOffsetCommit(ctx: BrokerContext, r: ByteReader): Buffer {
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  r.int64();
  const topics = r.array((x) => ({
    topic: x.string(),
    partitions: x.array((y) => ({ partition: y.int32(), offset: Number(y.int64()), metadata: y.nullableString() })),
  }));
  const code = ctx.group(groupId).validateCommit(generationId, memberId);
  if (code === ErrorCode.NONE) {
    ctx.offsets.commit(groupId, topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p }))));
  }
  const w = new ByteWriter();
  w.array(topics, (x, t) => {
    x.string(t.topic);
    x.array(t.partitions, (y, p) => y.int32(p.partition).int16(code));
  });
  return w.toBuffer();
}

/** OffsetFetch v1: -1 for a partition the group never committed. */
export function handleOffsetFetch(ctx: BrokerContext, r: ByteReader): Buffer {
  const groupId = r.string();
  const topics = r.array((x) => ({ topic: x.string(), partitions: x.array((y) => y.int32()) }));
  const w = new ByteWriter();
  w.array(topics, (x, t) => {
    x.string(t.topic);
    x.array(t.partitions, (y, partition) => {
      const committed = ctx.offsets.fetch(groupId, t.topic, partition);
      y.int32(partition).int64(committed?.offset ?? -1).string(committed?.metadata ?? '').int16(ErrorCode.NONE);
    });
  });
  return w.toBuffer();
}

/** A group with members or committed offsets (also those committed before a restart). */
function knownGroupIds(ctx: BrokerContext): string[] {
  return [...new Set([...ctx.groups.keys(), ...ctx.offsets.groupIds()])];
}

/** DescribeGroups v0: a group known only by its committed offsets is Empty, an unknown one Dead. */
export function handleDescribeGroups(ctx: BrokerContext, r: ByteReader): Buffer {
  const ids = r.array((x) => x.string());
  const w = new ByteWriter();
  w.array(ids, (x, id) => {
    const group = ctx.groups.get(id);
    x.int16(ErrorCode.NONE).string(id).string(group?.state ?? (ctx.offsets.has(id) ? 'Empty' : 'Dead')).string(group?.protocolType ?? '').string(group?.protocolName ?? '');
    x.array(group?.describeMembers() ?? [], (y, m) => y.string(m.memberId).string(m.clientId).string('/127.0.0.1').bytes(m.metadata).bytes(m.assignment));
  });
  return w.toBuffer();
}

/** ListGroups v0-v2 (v1 adds the throttle time). */
export function handleListGroups(ctx: BrokerContext, _r: ByteReader, version: number): Buffer {
  const w = new ByteWriter();
  if (version >= 1) w.int32(0);
  w.int16(ErrorCode.NONE);
  return w.array(knownGroupIds(ctx), (x, id) => x.string(id).string(ctx.groups.get(id)?.protocolType ?? '')).toBuffer();
}

/** DeleteGroups v0/v1: only a group without members can go; its committed offsets go with it. */
export function handleDeleteGroups(ctx: BrokerContext, r: ByteReader): Buffer {
  const ids = r.array((x) => x.string());
  const known = new Set(knownGroupIds(ctx));
  const w = new ByteWriter().int32(0);
  return w.array(ids, (x, id) => {
    const group = ctx.groups.get(id);
    let code: number = ErrorCode.NONE;
    if (!known.has(id)) code = ErrorCode.GROUP_ID_NOT_FOUND;
    else if (group && group.memberCount > 0) code = ErrorCode.NON_EMPTY_GROUP;
    else {
      group?.close();
      ctx.groups.delete(id);
      ctx.offsets.delete(id);
    }
    x.string(id).int16(code);
  }).toBuffer();
}
