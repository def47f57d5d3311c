import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MetricsService } from '@arca/service-kit';
import { ARCA_METRICS, exportedSeries } from '@arca/telemetry';

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

/**
 * Every series name a service's /metrics can carry: the OpenTelemetry ones of ARCA_METRICS and
 * prom-client's (process, HTTP), read from a MetricsService as each service creates one.
 */
async function exportedMetricNames(): Promise<Set<string>> {
  const names = new Set(Object.values(ARCA_METRICS).flatMap((m) => exportedSeries(m)));
  for (const metric of await new MetricsService('compose-spec').registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    const suffixes = type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['', '_sum', '_count'] : [''];
    for (const suffix of suffixes) names.add(metric.name + suffix);
  }
  names.add('up'); // Prometheus's own, per scrape target
  return names;
}

/** The metric names a PromQL expression reads: identifiers outside strings, label matchers and grouping clauses, that are not functions or keywords. */
function metricsInPromql(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'inf', 'nan']);
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g)].filter((m) => !m[2] && !keywords.has(m[1].toLowerCase())).map((m) => m[1]);
}

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

describe('Prometheus and Grafana in infra/compose', () => {
  const rules = parse(readFileSync(path.join(COMPOSE, 'prometheus', 'alert-rules.yml'), 'utf8')) as { groups: { name: string; rules: { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[] };
  const alerts = rules.groups.flatMap((g) => g.rules);
  const dashboard = JSON.parse(readFileSync(path.join(COMPOSE, 'grafana', 'dashboards', 'arca.json'), 'utf8')) as { uid: string; title: string; panels: { title: string; targets: { expr: string }[] }[] };
  const exprs = [...alerts.map((a) => ({ where: `alert ${a.alert}`, expr: a.expr })), ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })))];

  it('reads PromQL metric names apart from functions, labels, groupings and ranges', () => {
    expect(metricsInPromql('sum by (kind, tenant) (increase(arca_jobs_total{outcome="failed", x="a}b"}[15m])) > 0 and up == 0')).toEqual(['arca_jobs_total', 'up']);
    expect(metricsInPromql('histogram_quantile(0.95, sum by (le) (rate(arca_job_duration_seconds_bucket[1h])))')).toEqual(['arca_job_duration_seconds_bucket']);
  });

  it('runs Prometheus with the rules and every service as a scrape target, and Grafana provisioned with it and the dashboard', () => {
    const prometheus = compose.services.prometheus;
    expect(prometheus.image).toMatch(/^prom\/prometheus:/);
    expect(prometheus.volumes).toEqual(expect.arrayContaining(['./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro', './prometheus/alert-rules.yml:/etc/prometheus/alert-rules.yml:ro']));
    const config = parse(readFileSync(path.join(COMPOSE, 'prometheus', 'prometheus.yml'), 'utf8')) as { rule_files: string[]; scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    expect(config.rule_files).toEqual(['/etc/prometheus/alert-rules.yml']);
    const targets = Object.fromEntries(config.scrape_configs.map((c) => [c.job_name, c.static_configs[0].targets[0]]));
    for (const name of readdirSync(path.join(ROOT, 'services'))) {
      const port = String(compose.services[name].environment![`${name.toUpperCase().replace(/-/g, '_')}_URL`]).split(':').pop();
      expect(targets[name], `${name} scraped`).toBe(`${name}:${port}`);
    }
    const grafana = compose.services.grafana;
    expect(grafana.image).toMatch(/^grafana\/grafana:/);
    expect(grafana.volumes).toEqual(expect.arrayContaining(['./grafana/provisioning:/etc/grafana/provisioning:ro', './grafana/dashboards:/var/lib/grafana/dashboards:ro']));
    const datasources = parse(readFileSync(path.join(COMPOSE, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'));
    expect(datasources.datasources[0]).toMatchObject({ type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090' });
    const providers = parse(readFileSync(path.join(COMPOSE, 'grafana', 'provisioning', 'dashboards', 'arca.yml'), 'utf8'));
    expect(providers.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
    expect(dashboard).toMatchObject({ uid: 'arca-platform', title: 'Arca platform' });
    for (const panel of dashboard.panels) expect((panel as unknown as { datasource: { uid: string } }).datasource.uid, panel.title).toBe('prometheus');
  });

  it('alerts on a failed job, a breached RPO, growing consumer lag, dead letters and replication behind', () => {
    const uses = (alert: string) => metricsInPromql(alerts.find((a) => a.alert === alert)?.expr ?? '');
    expect(uses('ArcaJobFailed')).toEqual(['arca_jobs_total']);
    expect(uses('ArcaRpoBreached')).toEqual(['arca_policy_rpo_breached']);
    expect(uses('ArcaConsumerLagGrowing')).toEqual(['arca_consumer_lag_messages', 'arca_consumer_lag_messages']);
    expect(uses('ArcaDeadLetters')).toEqual(['arca_dead_letters_total']);
    expect(uses('ArcaReplicationBehind')).toEqual(['arca_replication_oldest_pending_seconds', 'arca_replication_lag_seconds']);
    for (const alert of alerts) {
      expect(alert.labels?.severity, alert.alert).toMatch(/^(warning|critical)$/);
      expect(alert.annotations?.summary, alert.alert).toBeTruthy();
    }
  });

  it('uses only metrics the services export, in every alert and every dashboard panel', async () => {
    const exported = await exportedMetricNames();
    const unknown = exprs.flatMap(({ where, expr }) => metricsInPromql(expr).filter((name) => !exported.has(name)).map((name) => `${where}: ${name}`));
    expect(unknown).toEqual([]);
    expect(new Set(exprs.flatMap(({ expr }) => metricsInPromql(expr))).size).toBeGreaterThan(10);
  });
});
