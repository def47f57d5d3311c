export * from './database-url';
export * from './persistence.module';
export * from './service-data-source';
export * from './test-schema';
export { startEmbeddedPostgres } from './embedded-postgres';
export * from './tenant-columns';
