import net from 'node:net';
import { BrokerContext } from './broker-context';
import { OffsetStore } from './group/offset-store';
import { TopicStore } from './log/topic-store';
import { serveConnection } from './server';

export interface BrokerOptions {
  /** Loopback by default: this is a development broker. */
  host?: string;
  /** 9092 by default; 0 picks a free port. */
  port?: number;
  dataDir: string;
  /** Partitions of auto-created topics (3 by default). */
  defaultPartitions?: number;
  autoCreateTopics?: boolean;
  logger?: (line: string) => void;
}

export interface KafkaDevBroker {
  host: string;
  port: number;
  close(): Promise<void>;
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Starts the development Kafka broker: one node speaking the Kafka wire protocol well enough for
 * kafkajs and @nestjs/microservices (produce, fetch with long polling, consumer groups with
 * rebalancing, committed offsets), with its log on disk. Not for production: no replication,
 * no transactions, no ACLs.
 */
export async function startBroker(options: BrokerOptions): Promise<KafkaDevBroker> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? (() => undefined);
  const topics = new TopicStore(options.dataDir);
  const offsets = new OffsetStore(options.dataDir);
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(context, socket);
  };

  const primary = net.createServer(onConnection);
  await listen(primary, options.port ?? 9092, host);
  const port = (primary.address() as net.AddressInfo).port;
  const context = new BrokerContext(
    topics, offsets, { host, port },
    { defaultPartitions: options.defaultPartitions ?? 3, autoCreateTopics: options.autoCreateTopics ?? true }, log,
  );

  // Clients told "localhost:9092" may resolve it to ::1 first; answer there too when we can.
  const servers = [primary];
  if (host === '127.0.0.1') {
    const v6 = net.createServer(onConnection);
    try {
      await listen(v6, port, '::1');
      servers.push(v6);
    } catch {
      v6.close();
    }
  }

  const sessionTimer = setInterval(() => {
    const now = Date.now();
    for (const group of context.groups.values()) group.expireSessions(now);
  }, 250);
  sessionTimer.unref();

  return {
    host,
    port,
    async close() {
      clearInterval(sessionTimer);
      for (const group of context.groups.values()) group.close();
      // server.close() waits for open connections, so drop the clients' sockets first.
      const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      for (const socket of sockets) socket.destroy();
      await closed;
      topics.close();
    },
  };
}
