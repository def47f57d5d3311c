import net from 'node:net';
import { BrokerContext } from './broker-context';
import { handleFetch, handleListOffsets } from './handlers/fetch';
import { handleDeleteGroups, handleDescribeGroups, handleHeartbeat, handleJoinGroup, handleLeaveGroup, handleListGroups, handleOffsetCommit, handleOffsetFetch, handleSyncGroup } from './handlers/groups';
import { handleCreatePartitions, handleCreateTopics, handleDeleteTopics, handleFindCoordinator, handleInitProducerId, handleMetadata } from './handlers/metadata';
import { handleProduce } from './handlers/produce';
import { API_NAMES, ApiKey, SUPPORTED_VERSIONS } from './protocol/api-keys';
import { ByteReader, ByteWriter, ProtocolError } from './protocol/bytes';
import { ErrorCode } from './protocol/errors';

const MAX_FRAME = 100 * 1024 * 1024;

function apiVersionsBody(version: number, errorCode: number): Buffer {
  const w = new ByteWriter().int16(errorCode);
  w.array(Object.entries(SUPPORTED_VERSIONS), (x, [key, [min, max]]) => x.int16(Number(key)).int16(min).int16(max));
  if (version >= 1) w.int32(0);
  return w.toBuffer();
}

type Handler = (ctx: BrokerContext, r: ByteReader, version: number, clientId: string, isClosed: () => boolean) => Buffer | null | Promise<Buffer | null>;

const HANDLERS: Record<number, Handler> = {
  [ApiKey.Produce]: (ctx, r) => handleProduce(ctx, r),
  [ApiKey.Fetch]: (ctx, r, _v, _c, isClosed) => handleFetch(ctx, r, isClosed),
  [ApiKey.ListOffsets]: (ctx, r) => handleListOffsets(ctx, r),
  [ApiKey.Metadata]: (ctx, r) => handleMetadata(ctx, r),
  [ApiKey.OffsetCommit]: (ctx, r) => handleOffsetCommit(ctx, r),
  [ApiKey.OffsetFetch]: (ctx, r) => handleOffsetFetch(ctx, r),
  [ApiKey.FindCoordinator]: (ctx, r, v) => handleFindCoordinator(ctx, r, v),
  [ApiKey.JoinGroup]: (ctx, r, v, clientId) => handleJoinGroup(ctx, r, v, clientId),
  [ApiKey.Heartbeat]: (ctx, r, v) => handleHeartbeat(ctx, r, v),
  [ApiKey.LeaveGroup]: (ctx, r, v) => handleLeaveGroup(ctx, r, v),
  [ApiKey.SyncGroup]: (ctx, r, v) => handleSyncGroup(ctx, r, v),
  [ApiKey.DescribeGroups]: (ctx, r) => handleDescribeGroups(ctx, r),
  [ApiKey.ListGroups]: (ctx, r, v) => handleListGroups(ctx, r, v),
  [ApiKey.DeleteGroups]: (ctx, r) => handleDeleteGroups(ctx, r),
  [ApiKey.CreateTopics]: (ctx, r, v) => handleCreateTopics(ctx, r, v),
  [ApiKey.DeleteTopics]: (ctx, r) => handleDeleteTopics(ctx, r),
  [ApiKey.InitProducerId]: (ctx, r) => handleInitProducerId(ctx, r),
  [ApiKey.CreatePartitions]: (ctx, r) => handleCreatePartitions(ctx, r),
};

/**
 * One client connection: length-prefixed frames in, answers out. Requests are handled as they
 * arrive and answered when ready (kafkajs matches answers by correlation id), so a long-polling
 * fetch or a join held for a rebalance does not hold up heartbeats on the same connection.
 */
export function serveConnection(ctx: BrokerContext, socket: net.Socket): void {
  let buffered: Buffer = Buffer.alloc(0);
  let closed = false;
  socket.setNoDelay(true);
  socket.on('close', () => { closed = true; });
  socket.on('error', () => { closed = true; });

  const send = (correlationId: number, body: Buffer) => {
    if (closed) return;
    const header = Buffer.allocUnsafe(8);
    header.writeInt32BE(body.length + 4, 0);
    header.writeInt32BE(correlationId, 4);
    socket.write(Buffer.concat([header, body]));
  };

  const handle = async (frame: Buffer) => {
    const r = new ByteReader(frame);
    const apiKey = r.int16();
    const version = r.int16();
    const correlationId = r.int32();
    const clientId = r.nullableString() ?? '';
    if (apiKey === ApiKey.ApiVersions) {
      const [min, max] = SUPPORTED_VERSIONS[ApiKey.ApiVersions];
      const supported = version >= min && version <= max;
      return send(correlationId, apiVersionsBody(supported ? version : 0, supported ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_VERSION));
    }
    const handler = HANDLERS[apiKey];
    const range = SUPPORTED_VERSIONS[apiKey];
    if (!handler || !range || version < range[0] || version > range[1]) {
      throw new ProtocolError(`unsupported request ${API_NAMES[apiKey] ?? `api key ${apiKey}`} v${version} from client "${clientId}"`);
    }
    const body = await handler(ctx, r, version, clientId, () => closed);
    if (body) send(correlationId, body);
  };

  socket.on('data', (data: Buffer) => {
    buffered = buffered.length === 0 ? data : (Buffer.concat([buffered, data]) as Buffer);
    while (buffered.length >= 4) {
      const size = buffered.readInt32BE(0);
      if (size < 8 || size > MAX_FRAME) {
        ctx.log(`closing connection from ${socket.remoteAddress}: invalid frame size ${size}`);
        socket.destroy();
        return;
      }
      if (buffered.length < 4 + size) break;
      const frame = buffered.subarray(4, 4 + size);
      buffered = buffered.subarray(4 + size);
      handle(frame).catch((error: unknown) => {
        ctx.log(`closing connection from ${socket.remoteAddress}: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
      });
    }
  });
}
