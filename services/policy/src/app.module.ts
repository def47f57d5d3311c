import { ArcaServiceModule } from '@arca/service-kit';
import { Module } from '@nestjs/common';
import { PolicySecretEntity } from './entities/policy-secret.entity';
import { PolicyVersionEntity } from './entities/policy-version.entity';
import { PolicyEntity } from './entities/policy.entity';
import { Policies1764000000000 } from './migrations/1764000000000-policies';
import { PolicySecrets1767000000000 } from './migrations/1767000000000-policy-secrets';
import { PolicyTenants1768000000000 } from './migrations/1768000000000-policy-tenants';
import { PoliciesController } from './policies.controller';
import { PoliciesService } from './policies.service';
import { PolicySecretsService } from './policy-secrets.service';
import { SecretsController } from './secrets.controller';

@Module({
  imports: [ArcaServiceModule.forRoot({ serviceName: 'policy', entities: [PolicyEntity, PolicyVersionEntity, PolicySecretEntity], migrations: [Policies1764000000000, PolicySecrets1767000000000, PolicyTenants1768000000000] })],
  controllers: [PoliciesController, SecretsController],
  providers: [PoliciesService, PolicySecretsService],
})
export class AppModule {}
