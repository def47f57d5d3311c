import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { CopyQueue } from './copy-queue.service';
import { ReplicatedObjectEntity } from './entities/replicated-object.entity';
import { ReplicationObjectOpEntity } from './entities/replication-object-op.entity';
import { ReplicationCopyEntity } from './entities/replication-copy.entity';
import { ReplicationPolicyEntity } from './entities/replication-policy.entity';
import { ReplicationRpoBreachEntity } from './entities/replication-rpo-breach.entity';
import { ReplicationSiteEntity } from './entities/replication-site.entity';
import { Replication1764000000000 } from './migrations/1764000000000-replication';
import { ReplicationCopies1769200000000 } from './migrations/1769200000000-replication-copies';
import { ReplicationController } from './replication.controller';
import { ReplicatorService } from './replicator.service';

@Module({
  imports: [ArcaServiceModule.forRoot({
    serviceName: 'replication',
    entities: [ReplicatedObjectEntity, ReplicationCopyEntity, ReplicationPolicyEntity, ReplicationSiteEntity, ReplicationRpoBreachEntity, ReplicationObjectOpEntity],
    migrations: [Replication1764000000000, ReplicationCopies1769200000000],
    objectStore: true, replicaObjectStore: true,
  })],
  controllers: [ReplicationController],
  providers: [CopyQueue, ReplicatorService],
})
export class AppModule {}
