import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { ChunkIndexController } from './chunk-index.controller';
import { ChunkIndexRepository } from './chunk-index.repository';
import { ChunkIndexService } from './chunk-index.service';
import { ChunkLocationEntity } from './entities/chunk-location.entity';
import { PackEntity } from './entities/pack.entity';
import { PackStates1766000000000 } from './migrations/1766000000000-pack-states';
import { ChunkIndex1764000000000 } from './migrations/1764000000000-chunk-index';
import { ChunkTenants1768000000000 } from './migrations/1768000000000-chunk-tenants';

@Module({
  imports: [ArcaServiceModule.forRoot({ serviceName: 'dedupe-index', entities: [ChunkLocationEntity, PackEntity], migrations: [ChunkIndex1764000000000, PackStates1766000000000, ChunkTenants1768000000000] })],
  controllers: [ChunkIndexController],
  providers: [ChunkIndexRepository, ChunkIndexService],
})
export class AppModule {}
