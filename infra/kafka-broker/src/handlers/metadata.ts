import { BrokerContext, NODE_ID } from '../broker-context';
import { ByteReader, ByteWriter } from '../protocol/bytes';
import { ErrorCode } from '../protocol/errors';

/** ApiVersions v0-v2 is answered in server.ts (it must work before version negotiation). */

/** Metadata v1: this single broker leads every partition. */
export function handleMetadata(ctx: BrokerContext, r: ByteReader): Buffer {
  const requested = r.nullableArray((x) => x.string());
  const names = requested ?? ctx.topics.names();
  const w = new ByteWriter();
  w.array([NODE_ID], (x, id) => x.int32(id).string(ctx.advertised.host).int32(ctx.advertised.port).string(null));
  w.int32(NODE_ID);
  w.array(names, (x, name) => {
    const error = ctx.ensureTopic(name);
    const partitions = error === ErrorCode.NONE ? ctx.topics.partitions(name)! : [];
    x.int16(error).string(name).bool(false);
    x.array(partitions.map((_, i) => i), (y, p) => y.int16(ErrorCode.NONE).int32(p).int32(NODE_ID).array([NODE_ID], (z, n) => z.int32(n)).array([NODE_ID], (z, n) => z.int32(n)));
  });
  return w.toBuffer();
}

/** FindCoordinator v0/v1: the coordinator of every group is this broker. */
export function handleFindCoordinator(ctx: BrokerContext, r: ByteReader, version: number): Buffer {
  r.string();
  if (version >= 1) r.int8();
  const w = new ByteWriter();
  if (version >= 1) w.int32(0);
  w.int16(ErrorCode.NONE);
  if (version >= 1) w.string(null);
  return w.int32(NODE_ID).string(ctx.advertised.host).int32(ctx.advertised.port).toBuffer();
}

/** CreateTopics v0/v1. */
export function handleCreateTopics(ctx: BrokerContext, r: ByteReader, version: number): Buffer {
  const topics = r.array((x) => {
    const name = x.string();
    const partitions = x.int32();
    x.int16();
    x.array((y) => { y.int32(); y.array((z) => z.int32()); });
    x.array((y) => { y.string(); y.nullableString(); });
    return { name, partitions };
  });
  r.int32();
  const validateOnly = version >= 1 ? r.bool() : false;
  const w = new ByteWriter();
  w.array(topics, (x, t) => {
    let code: number = ErrorCode.NONE;
    let message: string | null = null;
    if (ctx.topics.has(t.name)) {
      code = ErrorCode.TOPIC_ALREADY_EXISTS;
      message = `topic "${t.name}" already exists`;
    } else if (!validateOnly) {
      try {
        ctx.topics.create(t.name, t.partitions === -1 ? ctx.settings.defaultPartitions : t.partitions);
        ctx.log(`created topic ${t.name}`);
      } catch (error) {
        code = ErrorCode.INVALID_TOPIC_EXCEPTION;
        message = (error as Error).message;
      }
    }
    x.string(t.name).int16(code);
    if (version >= 1) x.string(message);
  });
  return w.toBuffer();
}

/** CreatePartitions v0/v1: grows topics; new partitions start empty, existing ones keep their logs. */
export function handleCreatePartitions(ctx: BrokerContext, r: ByteReader): Buffer {
  const topics = r.array((x) => {
    const name = x.string();
    const count = x.int32();
    x.nullableArray((y) => y.nullableArray((z) => z.int32()));
    return { name, count };
  });
  r.int32();
  const validateOnly = r.bool();
  const w = new ByteWriter().int32(0);
  w.array(topics, (x, t) => {
    let code: number = ErrorCode.NONE;
    let message: string | null = null;
    const current = ctx.topics.partitions(t.name)?.length;
    if (current === undefined) {
      code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      message = `topic "${t.name}" does not exist`;
    } else if (t.count <= current || t.count > 1000) {
      code = ErrorCode.INVALID_PARTITIONS;
      message = `topic "${t.name}" has ${current} partitions; the new count must be larger and at most 1000, got ${t.count}`;
    } else if (!validateOnly) {
      ctx.topics.addPartitions(t.name, t.count);
      ctx.log(`topic ${t.name} grown to ${t.count} partitions`);
    }
    x.string(t.name).int16(code).string(message);
  });
  return w.toBuffer();
}

/** DeleteTopics v0. */
export function handleDeleteTopics(ctx: BrokerContext, r: ByteReader): Buffer {
  const names = r.array((x) => x.string());
  r.int32();
  const w = new ByteWriter();
  w.array(names, (x, name) => {
    const exists = ctx.topics.has(name);
    if (exists) ctx.topics.delete(name);
    x.string(name).int16(exists ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
  return w.toBuffer();
}

/** InitProducerId v0, for idempotent producers: ids are unique per broker run and start epoch 0. */
let nextProducerId = BigInt(Date.now()) * 1000n;
export function handleInitProducerId(_ctx: BrokerContext, r: ByteReader): Buffer {
  r.nullableString();
  r.int32();
  return new ByteWriter().int32(0).int16(ErrorCode.NONE).int64(nextProducerId++).int16(0).toBuffer();
}
