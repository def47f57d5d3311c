import { describe, expect, it } from 'vitest';
import { tenantOfRequest } from './tenant';

const request = (value?: string) => ({ header: (name: string) => (name === 'x-arca-tenant' ? value : undefined) }) as never;

describe('the calling tenant of an internal route', () => {
  it("is the gateway's x-arca-tenant header, or default without one", () => {
    expect(tenantOfRequest(request('acme-eu-1'))).toBe('acme-eu-1');
    expect(tenantOfRequest(request())).toBe('default');
    expect(tenantOfRequest(request(''))).toBe('default');
  });

  it('refuses a header that is not a slug (400), so no query ever runs with it', () => {
    for (const bad of ['Acme', 'acme/../x', '-acme', 'acme-', 'a'.repeat(64), "acme' OR 1=1"]) {
      expect(() => tenantOfRequest(request(bad)), bad).toThrow(/is not a tenant id/);
    }
  });
});
