import { DataSource, EntitySchema, EntityTarget, MixedList, ObjectLiteral } from 'typeorm';
import { maskUrl } from './database-url';

export interface ServiceDataSourceOptions {
  url: string;
  /** The Postgres schema holding this service's tables, e.g. `arca_policy`. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class DatabaseUnavailableError extends Error {}

/**
 * `dedupe-index` → `arca_dedupe_index`. ARCA_SCHEMA_PREFIX replaces `arca`, so end-to-end tests
 * (or two installations sharing one database) keep their tables apart.
 */
export function schemaFor(service: string, prefix = process.env.ARCA_SCHEMA_PREFIX ?? 'arca'): string {
  return `${prefix}_${service.replace(/-/g, '_')}`;
}

/**
 * A TypeORM data source whose tables live in the service's own schema, brought up to date by its
 * migrations (never `synchronize`). Migrations run in one transaction each; the migrations table
 * is inside the schema, so services evolve independently in one database.
 */
export async function createServiceDataSource(options: ServiceDataSourceOptions): Promise<DataSource> {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name "${options.schema}"`);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 },
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new DatabaseUnavailableError(`cannot connect to Postgres at ${maskUrl(options.url)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
  await dataSource.runMigrations();
  return dataSource;
}

/** The schema-qualified, quoted name of an entity's table, for hand-written SQL. */
export function qualifiedTable(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>): string {
  return dataSource.getMetadata(entity).tablePath.split('.').map((part) => `"${part}"`).join('.');
}
