import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE = path.join(ROOT, 'infra', 'compose');

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
}

const compose = parse(readFileSync(path.join(COMPOSE, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};

describe('infra/compose for real deployments', () => {
  it('runs Kafka in KRaft mode with its log on the persistent volume', () => {
    const kafka = compose.services.kafka.environment!;
    expect(String(kafka.KAFKA_PROCESS_ROLES)).toContain('controller');
    const mounts = (compose.services.kafka.volumes ?? []).map((v) => v.split(':'));
    const logDirs = String(kafka.KAFKA_LOG_DIRS ?? '/tmp/kraft-combined-logs').split(',');
    for (const dir of logDirs) expect(mounts.some(([volume, target]) => volume in compose.volumes && target === dir), `${dir} on a named volume`).toBe(true);
  });

  it('has two MinIO sites, Postgres, an OpenTelemetry collector exporting to Jaeger', () => {
    expect(compose.services['minio-primary'].image).toMatch(/^minio\/minio/);
    expect(compose.services['minio-replica'].image).toMatch(/^minio\/minio/);
    expect(compose.services.postgres.image).toMatch(/^postgres/);
    expect(compose.services.jaeger.image).toMatch(/^jaegertracing\//);
    const collector = parse(readFileSync(path.join(COMPOSE, 'otel-collector.yaml'), 'utf8'));
    expect(collector.exporters['otlp/jaeger'].endpoint).toBe('jaeger:4317');
  });

  it('runs each of the eight services against them, reaching the others by their compose names', () => {
    const services = readdirSync(path.join(ROOT, 'services'));
    expect(services).toHaveLength(8);
    for (const name of services) {
      const service = compose.services[name];
      expect(service?.command, name).toEqual([`services/${name}/src/main.ts`]);
      expect(existsSync(path.join(ROOT, service.command![0])), `${name} entry point`).toBe(true);
      expect(service.environment).toMatchObject({
        KAFKA_BROKERS: 'kafka:9092', S3_ENDPOINT: 'http://minio-primary:9000', REPLICA_S3_ENDPOINT: 'http://minio-replica:9000',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      });
      expect(String(service.environment!.DATABASE_URL)).toMatch(/@postgres:5432\//);
      expect(String(service.environment![`${name.toUpperCase().replace(/-/g, '_')}_URL`])).toMatch(new RegExp(`^http://${name}:\\d+$`));
    }
  });

  it('keeps local state out of the image build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.arca', '.git']));
  });
});
