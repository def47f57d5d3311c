/**
 * The parts outside the services failing mid-backup: S3 (through the HTTP fault proxy), Postgres
 * (through the TCP fault proxy: the machine's real server is shared, so it is never restarted
 * here; its connections are cut and refused instead) and the Kafka broker (stopped and started
 * again, with its log, and last, since it takes the platform's history with it, without).
 */
import { describe, expect, it } from 'vitest';
import { useChaosPlatform } from './support/chaos-platform';
import { backupUnderFault, caseTimeout, outageMs } from './support/fault-case';

const file = useChaosPlatform();

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('S3 failing mid-backup', () => {
  it('unreachable for the outage: the job ends with a result or a reason, a retry completes', async () => {
    await backupUnderFault(file, { fault: 'S3 unreachable', inject: () => file.chaos.s3.during({ kind: 'refuse' }, outageMs()) });
  }, caseTimeout());

  it('answering 500 and 503 for a share of requests', async () => {
    await backupUnderFault(file, {
      fault: 'S3 500/503 for a share of requests',
      inject: async (_job, rng) => {
        file.chaos.s3.setMode({ kind: 'http-error', share: rng.between(0.1, 0.4) });
        await pause(outageMs());
        file.chaos.s3.setMode({ kind: 'pass' });
      },
    });
    expect(file.chaos.s3.stats.injectedErrors).toBeGreaterThan(0);
  }, caseTimeout());

  it('a PUT stored whose answer was lost', async () => {
    const before = file.chaos.s3.stats.lostAnswers;
    await backupUnderFault(file, {
      fault: 'S3 PUT stored, answer lost',
      inject: async () => {
        file.chaos.s3.setMode({ kind: 'lose-answer', share: 0.5 });
        // Until one answer is lost (or the outage is over).
        const until = Date.now() + outageMs();
        while (file.chaos.s3.stats.lostAnswers === before && Date.now() < until) await pause(20);
        file.chaos.s3.setMode({ kind: 'pass' });
      },
    });
  }, caseTimeout());

  it('slow (every request delayed)', async () => {
    await backupUnderFault(file, {
      fault: 'S3 slow',
      inject: async (_job, rng) => file.chaos.s3.during({ kind: 'delay', ms: Math.round(rng.between(200, 1000)) }, outageMs()),
    });
  }, caseTimeout());
});

describe('Postgres failing mid-backup', () => {
  it('every connection cut, and new ones refused for the outage', async () => {
    await backupUnderFault(file, { fault: 'Postgres connections cut', inject: () => file.chaos.postgres.during({ kind: 'refuse' }, outageMs()) });
  }, caseTimeout());
});

describe('the Kafka broker stopped mid-backup', () => {
  it('and started again with its log kept', async () => {
    await backupUnderFault(file, {
      fault: 'Kafka broker restarted (log kept)',
      inject: async () => {
        await file.chaos.stopBroker();
        await pause(outageMs());
        await file.chaos.startBroker();
      },
    });
  }, caseTimeout());

  it('and started again with its data folder lost', async () => {
    // The earlier cases' events go with the log: their shared assertions run now.
    await file.settle();
    await backupUnderFault(file, {
      fault: 'Kafka broker restarted (data lost)',
      inject: async () => {
        await file.chaos.stopBroker();
        await pause(outageMs());
        await file.chaos.startBroker({ loseData: true });
      },
    });
  }, caseTimeout());
});
