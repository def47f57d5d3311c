/**
 * `npm run chaos -- --rounds N --size 500MB [--outage 20s] [--only PATTERN]`: the chaos suite run
 * long and big. Each round runs every case of e2e/chaos once (fresh seeds, or CHAOS_SEED), with
 * the issue's 20 s outages, then prints one table over all rounds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface CaseResult {
  fault: string; seed: number; status: string; reason?: string | null; recoveryMs: number;
  uploadedAfterFault: number; uploadedBeforeFault: number; orphanedBytes?: number; snapshotsVerified: number; datasetBytes: number;
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(text.trim());
  if (!m) throw new Error(`--size ${text}: give a size such as 500MB`);
  return Math.round(Number(m[1]) * ({ B: 1, KB: 1e3, MB: 1e6, GB: 1e9 } as Record<string, number>)[(m[2] ?? 'B').toUpperCase()]);
}

function parseSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)s?$/.exec(text.trim());
  if (!m) throw new Error(`--outage ${text}: give seconds such as 20s`);
  return Math.round(Number(m[1]) * 1000);
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Bytes uploaded after the fault beyond what was still to upload: what recovery sent again. */
export function reuploaded(r: CaseResult): number {
  if (r.uploadedBeforeFault === 0 && r.uploadedAfterFault === 0) return 0;
  return Math.max(0, r.uploadedAfterFault - Math.max(0, r.datasetBytes - r.uploadedBeforeFault));
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function table(results: CaseResult[]): string {
  const faults = [...new Set(results.map((r) => r.fault))];
  const rows = faults.map((fault) => {
    const of = results.filter((r) => r.fault === fault);
    const failed = of.filter((r) => r.status !== 'completed');
    const reasons = [...new Set(failed.map((r) => (r.reason ?? '').replace(/[0-9a-f]{64}/g, '…').replace(/:\d+/g, ':…').slice(0, 60)))];
    return [fault, String(of.length), String(of.length - failed.length), failed.length ? `${failed.length} (${reasons.join('; ')})` : '0',
      String(of.reduce((n, r) => n + r.snapshotsVerified, 0)), mb(of.reduce((n, r) => n + reuploaded(r), 0) / of.length),
      s(percentile(of.map((r) => r.recoveryMs), 50)), s(percentile(of.map((r) => r.recoveryMs), 95))];
  });
  const head = ['fault', 'rounds', 'jobs ok', 'jobs failed (reason)', 'snapshots verified', 're-uploaded (mean)', 'recovery p50', 'recovery p95'];
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function main(): void {
  const rounds = Number(option('rounds', '1'));
  const size = parseSize(option('size', '500MB'));
  const outage = parseSeconds(option('outage', '20s'));
  const only = option('only', '');
  const results = path.join(os.tmpdir(), `arca-chaos-results-${process.pid}.jsonl`);
  rmSync(results, { force: true });
  let failedRounds = 0;
  for (let round = 1; round <= rounds; round++) {
    process.stdout.write(`[chaos] round ${round} of ${rounds}: ${mb(size)} per case, outages of ${s(outage)}\n`);
    const run = spawnSync('npx', ['vitest', 'run', 'e2e/chaos', ...(only ? ['-t', only] : [])], {
      stdio: 'inherit', env: { ...process.env, ARCA_TESTS: 'long', CHAOS_SIZE: String(size), CHAOS_OUTAGE_MS: String(outage), CHAOS_RESULTS: results },
    });
    if (run.status !== 0) failedRounds++;
  }
  const collected = existsSync(results) ? readFileSync(results, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as CaseResult) : [];
  process.stdout.write(`\n${table(collected)}\n\n${failedRounds ? `${failedRounds} round(s) had a failing case (see the seeds above)` : 'every case of every round passed'}\n`);
  process.exit(failedRounds ? 1 : 0);
}

if (require.main === module) main();
