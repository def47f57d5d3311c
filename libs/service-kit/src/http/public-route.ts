import { SetMetadata } from '@nestjs/common';

/** Metadata key of routes anyone may call without credentials (a service that authenticates honours it). */
export const PUBLIC_ROUTE = 'arca:public-route';

/**
 * Marks a controller or handler as open to unauthenticated callers: /health and /metrics, which
 * probes and Prometheus scrape without credentials. Services without authentication ignore it.
 */
export const PublicRoute = (): ClassDecorator & MethodDecorator => SetMetadata(PUBLIC_ROUTE, true);
