import { ArcaKafkaServer, connectKafkaConsumer, EventPublisher } from '@arca/messaging';
import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Kafka } from 'kafkajs';
import { Logger as PinoLogger } from 'nestjs-pino';
import { CommonEnv } from './config/common-env';
import { ConfigError, loadConfig } from './config/load-config';
import { checkSharedSettings } from './config/shared-settings';
import { portVariable, SERVICES, ServiceName } from './service-directory';
import { BodyLimits, installBodyParsers } from './http/body-limits';
import { RequestValidationPipe } from './http/validation';
import { silenceKnownKafkajsWarning } from './warnings';

export interface BootstrapOptions<E extends CommonEnv> {
  serviceName: ServiceName;
  module: Type<unknown>;
  /** The service's environment class (validated before anything starts). */
  env: new () => E;
  /** Consume Kafka topics declared with @EventPattern in this consumer group (default arca-<service>). */
  consumerGroup?: string;
  /** Serve OpenAPI at /api/openapi.json and Swagger UI at /api/docs; `complete` adds to the generated document (e.g. body schemas). */
  openApi?: { title: string; description: string; complete?: (document: OpenAPIObject) => void };
  /** Runs on the new application before anything else is registered (e.g. middleware that must precede the body parsers). */
  configure?: (app: INestApplication) => void;
  /** JSON body limits of routes that take more than DEFAULT_BODY_LIMIT (batches between services). */
  bodyLimits?: BodyLimits;
  /** Routes whose request bodies the handler streams on as they are, whatever their content type (never parsed). */
  rawBodies?: string[];
}

/**
 * Starts an Arca service: validates its configuration, its own and the shared Kafka, object-store
 * and service-URL settings (a bad variable stops it with one line),
 * then HTTP (health, metrics, API), then the Kafka consumer. HTTP comes first so /health can say
 * what is wrong while the broker is still being reached.
 */
export async function bootstrapService<E extends CommonEnv>(options: BootstrapOptions<E>): Promise<void> {
  const name = `arca-${options.serviceName}`;
  silenceKnownKafkajsWarning();
  let config: E;
  try {
    config = loadConfig(options.env, process.env);
    checkSharedSettings(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const port = Number((config as unknown as Record<string, string>)[portVariable(options.serviceName)] ?? SERVICES.find((s) => s.name === options.serviceName)!.port);

  try {
    // Body parsers are ours: a limit per route, chosen on purpose (see installBodyParsers).
    // Lines logged while the app is built wait for its pino logger (ArcaServiceModule's loggingModule).
    const app = await NestFactory.create(options.module, { bufferLogs: true, bodyParser: false });
    app.useLogger(app.get(PinoLogger));
    options.configure?.(app);
    installBodyParsers(app, options.bodyLimits, options.rawBodies);
    app.enableShutdownHooks();
    app.useGlobalPipes(new RequestValidationPipe());
    if (options.openApi) {
      const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(options.openApi.title).setDescription(options.openApi.description).setVersion('1').build());
      options.openApi.complete?.(document);
      SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json' });
    }
    // Handler errors reach the retry log and the dead-letter headers as thrown (see ArcaRpcErrorFilter).
    connectKafkaConsumer(app, new ArcaKafkaServer({ kafka: app.get(Kafka), groupId: options.consumerGroup ?? name, publisher: app.get(EventPublisher) }));
    await app.listen(port, process.env.ARCA_BIND_HOST ?? '0.0.0.0');
    process.stdout.write(`${name} listening on :${port}\n`);
    await app.startAllMicroservices();
  } catch (error) {
    process.stderr.write(`${name}: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
