import { describe, expect, it } from 'vitest';
import { renderRecover, RecoverStats } from './repository';

const stats: RecoverStats = {
  from: 'replica', merge: false, repositoryId: 'c'.repeat(32), snapshotsRecovered: 4, snapshotsKept: 0, snapshotsSkipped: 0, listingsUnreadable: 0,
  packsRecovered: 6, chunksRecovered: 24, packsSkipped: 0, policiesRecovered: 1, policiesKept: 0, policiesSkipped: 0, objectsCopied: 17, bytesCopied: 5.2 * 1024 ** 2, skipped: [], durationMs: 1200,
};

describe('arca repository recover, for people', () => {
  it('says what came back from which site, and what was copied back to the primary', () => {
    expect(renderRecover(stats)).toBe([
      `recovered repository ${'c'.repeat(32)} from the replica site: 4 snapshot(s), 6 pack(s), 24 chunk(s)`,
      '1 policy restored',
      '17 object(s) (5.20 MiB) copied back to the primary site',
      'took 1s',
    ].join('\n'));
  });

  it('names what a merge kept and what was left out, and why', () => {
    const out = renderRecover({
      ...stats, from: 'primary', merge: true, snapshotsRecovered: 1, snapshotsKept: 3, snapshotsSkipped: 1, packsSkipped: 1, listingsUnreadable: 2, policiesRecovered: 0, policiesKept: 2, objectsCopied: 0,
      skipped: [{ key: `snapshots/${'e'.repeat(64)}`, reason: 'manifest not recovered: the manifest belongs to repository ffff, not cccc' }],
    });
    expect(out).toMatch(/^3 snapshot\(s\) were in the catalogue already and were left as they were$/m);
    expect(out).toMatch(/^0 policies restored, 2 held already$/m);
    expect(out).toMatch(/^left out: 1 manifest\(s\), 1 pack\(s\)$/m);
    expect(out).toMatch(/^2 directory listing\(s\) unreadable \(run "arca check"/m);
    expect(out).toMatch(/belongs to repository ffff/);
    expect(out).not.toMatch(/copied back/);
  });
});
