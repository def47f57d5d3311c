import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { ReplicatedObjectEntity } from './entities/replicated-object.entity';
import { Replication1764000000000 } from './migrations/1764000000000-replication';
import { ReplicationController } from './replication.controller';
import { ReplicatorService } from './replicator.service';

@Module({
  imports: [ArcaServiceModule.forRoot({
    serviceName: 'replication', entities: [ReplicatedObjectEntity], migrations: [Replication1764000000000], objectStore: true, replicaObjectStore: true,
  })],
  controllers: [ReplicationController],
  providers: [ReplicatorService],
})
export class AppModule {}
