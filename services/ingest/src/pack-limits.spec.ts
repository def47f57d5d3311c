import { RECORD_PACK_MAX_CHUNKS } from '@arca/contracts';
import { MAX_PACK_CHUNKS } from '@arca/datapath';
import { describe, expect, it } from 'vitest';

describe('pack registration', () => {
  it('accepts as many chunks as the pack writer puts in one pack', () => {
    expect(RECORD_PACK_MAX_CHUNKS).toBe(MAX_PACK_CHUNKS);
  });
});
