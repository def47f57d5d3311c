/**
 * The parts outside the services failing mid-backup: S3 (through the HTTP fault proxy), Postgres
 * (through the TCP fault proxy: the machine's real server is shared, so it is never restarted
 * here; its connections are cut and refused instead) and the Kafka broker (stopped and started
 * again, with its log, and last, since it takes the platform's history with it, without).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosPlatform, startChaosPlatform } from './support/chaos-platform';
import { backupUnderFault, caseTimeout, outageMs } from './support/fault-case';

let chaos: ChaosPlatform;

beforeAll(async () => {
  chaos = await startChaosPlatform();
}, 150_000);

afterAll(async () => {
  await chaos?.destroy();
}, 90_000);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('S3 failing mid-backup', () => {
  it('unreachable for the outage: the job ends with a result or a reason, a retry completes', async () => {
    await backupUnderFault(chaos, { fault: 'S3 unreachable', inject: () => chaos.s3.during({ kind: 'refuse' }, outageMs()) });
  }, caseTimeout());

  it('answering 500 and 503 for a share of requests', async () => {
    await backupUnderFault(chaos, {
      fault: 'S3 500/503 for a share of requests',
      inject: async (_job, rng) => {
        chaos.s3.setMode({ kind: 'http-error', share: rng.between(0.1, 0.4) });
        await pause(outageMs());
        chaos.s3.setMode({ kind: 'pass' });
      },
    });
    expect(chaos.s3.stats.injectedErrors).toBeGreaterThan(0);
  }, caseTimeout());

  it('a PUT stored whose answer was lost', async () => {
    const before = chaos.s3.stats.lostAnswers;
    await backupUnderFault(chaos, {
      fault: 'S3 PUT stored, answer lost',
      inject: async () => {
        chaos.s3.setMode({ kind: 'lose-answer', share: 0.5 });
        // Until one answer is lost (or the outage is over).
        const until = Date.now() + outageMs();
        while (chaos.s3.stats.lostAnswers === before && Date.now() < until) await pause(20);
        chaos.s3.setMode({ kind: 'pass' });
      },
    });
  }, caseTimeout());

  it('slow (every request delayed)', async () => {
    await backupUnderFault(chaos, {
      fault: 'S3 slow',
      inject: async (_job, rng) => chaos.s3.during({ kind: 'delay', ms: Math.round(rng.between(200, 1000)) }, outageMs()),
    });
  }, caseTimeout());
});

describe('Postgres failing mid-backup', () => {
  it('every connection cut, and new ones refused for the outage', async () => {
    await backupUnderFault(chaos, { fault: 'Postgres connections cut', inject: () => chaos.postgres.during({ kind: 'refuse' }, outageMs()) });
  }, caseTimeout());
});

describe('the Kafka broker stopped mid-backup', () => {
  it('and started again with its log kept', async () => {
    await backupUnderFault(chaos, {
      fault: 'Kafka broker restarted (log kept)',
      inject: async () => {
        await chaos.stopBroker();
        await pause(outageMs());
        await chaos.startBroker();
      },
    });
  }, caseTimeout());

  it('and started again with its data folder lost', async () => {
    await backupUnderFault(chaos, {
      fault: 'Kafka broker restarted (data lost)',
      inject: async () => {
        await chaos.stopBroker();
        await pause(outageMs());
        await chaos.startBroker({ loseData: true });
      },
    });
  }, caseTimeout());
});
