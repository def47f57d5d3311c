import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { PolicyVersionEntity } from './entities/policy-version.entity';
import { PolicyEntity } from './entities/policy.entity';
import { Policies1764000000000 } from './migrations/1764000000000-policies';
import { PoliciesController } from './policies.controller';
import { PoliciesService } from './policies.service';

@Module({
  imports: [ArcaServiceModule.forRoot({ serviceName: 'policy', entities: [PolicyEntity, PolicyVersionEntity], migrations: [Policies1764000000000] })],
  controllers: [PoliciesController],
  providers: [PoliciesService],
})
export class AppModule {}
