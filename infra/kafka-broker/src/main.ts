import path from 'node:path';
import { startBroker } from './index';

/** Runs the development broker on its own: KAFKA_BROKER_PORT, KAFKA_BROKER_HOST, KAFKA_BROKER_DATA_DIR. */
async function main() {
  const port = Number(process.env.KAFKA_BROKER_PORT ?? 9092);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`KAFKA_BROKER_PORT must be a TCP port, got "${process.env.KAFKA_BROKER_PORT}"`);
  const dataDir = path.resolve(process.env.KAFKA_BROKER_DATA_DIR ?? '.arca/kafka');
  const broker = await startBroker({ host: process.env.KAFKA_BROKER_HOST ?? '127.0.0.1', port, dataDir, logger: (line) => console.log(`[kafka-broker] ${line}`) });
  console.log(`[kafka-broker] development Kafka broker listening on ${broker.host}:${broker.port}, data in ${dataDir}`);
  const stop = () => void broker.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`[kafka-broker] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
