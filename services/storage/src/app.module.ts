import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { SnapshotUsageEntity } from './entities/snapshot-usage.entity';
import { StoredPackEntity } from './entities/stored-pack.entity';
import { Storage1764000000000 } from './migrations/1764000000000-storage';
import { StorageTenants1768000000000 } from './migrations/1768000000000-storage-tenants';
import { StorageController } from './storage.controller';
import { UsageService } from './usage.service';

@Module({
  imports: [ArcaServiceModule.forRoot({ serviceName: 'storage', entities: [StoredPackEntity, SnapshotUsageEntity], migrations: [Storage1764000000000, StorageTenants1768000000000], objectStore: true })],
  controllers: [StorageController],
  providers: [UsageService],
})
export class AppModule {}
