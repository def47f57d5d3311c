import { describe, expect, it } from 'vitest';
import { consumerLag } from './consumer-lag';

describe('consumerLag', () => {
  it('sums end less committed over partitions, counting uncommitted partitions from the start', () => {
    const ends = new Map([[0, 10], [1, 4], [2, 0]]);
    expect(consumerLag(ends, [{ partition: 0, offset: 7 }, { partition: 1, offset: -1 }, { partition: 2, offset: -1 }])).toBe(3 + 4);
    expect(consumerLag(ends, [{ partition: 0, offset: 10 }, { partition: 1, offset: 4 }])).toBe(0);
    expect(consumerLag(new Map([[0, 5]]), [{ partition: 0, offset: 9 }])).toBe(0);
  });
});
