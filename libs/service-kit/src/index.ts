export * from './config/load-config';
export * from './config/common-env';
export * from './health/health-registry';
export * from './metrics/metrics.service';
export * from './service-kit.module';
export * from './service-directory';
export * from './arca-service.module';
export * from './bootstrap';
