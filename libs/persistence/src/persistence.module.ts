import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { createServiceDataSource, schemaFor } from './service-data-source';
import { LOCAL_POSTGRES_URL } from './database-url';

export interface PersistenceOptions {
  service: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  /** Defaults to DATABASE_URL, else the local server. */
  url?: string;
  /** Defaults to arca_<service>. */
  schema?: string;
}

/** Closes the pool when Nest shuts down, so a stopping service leaves no idle connections behind. */
@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** A registrar a health module can pick up: it is resolved lazily to keep persistence free of service-kit. */
export const DATABASE_HEALTH = Symbol('DATABASE_HEALTH');

@Module({})
export class PersistenceModule {
  /** Provides the service's `DataSource` (inject it by its class), migrated and ready. */
  static forService(options: PersistenceOptions): DynamicModule {
    const schema = options.schema ?? schemaFor(options.service);
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          useFactory: () => createServiceDataSource({
            url: options.url ?? process.env.DATABASE_URL ?? LOCAL_POSTGRES_URL,
            schema, entities: options.entities, migrations: options.migrations,
          }),
        },
        {
          provide: DATABASE_HEALTH,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => ({
            name: 'database',
            check: async () => {
              await dataSource.query('SELECT 1');
              return { schema };
            },
          }),
        },
        DataSourceCloser,
      ],
      exports: [DataSource, DATABASE_HEALTH],
    };
  }
}

