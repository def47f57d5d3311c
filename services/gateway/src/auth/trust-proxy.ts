import { INestApplication } from '@nestjs/common';
import type { Express } from 'express';

/**
 * Behind a reverse proxy every call comes from the proxy's address, so failures would be counted
 * (and limited) for all clients at once. ARCA_TRUST_PROXY names the proxies whose X-Forwarded-For
 * is believed: a number of hops, or addresses, subnets and Express's names (loopback, uniquelocal).
 * Unset: the TCP peer is the source address, and X-Forwarded-For is ignored (a client could forge it).
 */
export function trustProxy(app: INestApplication, setting: string | undefined): void {
  if (!setting) return;
  const express = app.getHttpAdapter().getInstance() as Express;
  express.set('trust proxy', /^\d+$/.test(setting) ? Number(setting) : setting.split(',').map((s) => s.trim()));
}
