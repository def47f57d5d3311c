import { buildAsyncApi, eventJsonSchema, eventVersionOf, isTopic, TOPIC_CATALOGUE, type Topic } from '@arca/contracts';
import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from './auth/roles';

/** What downstream systems build on: the AsyncAPI document and the JSON Schema of every event type, per version. */
@ApiTags('events')
@Controller('events')
@Roles('operator', 'auditor')
export class EventsController {
  @Get('asyncapi.json')
  @ApiOperation({ summary: 'The AsyncAPI 3.0 document of every Kafka topic Arca publishes' })
  asyncApi(): Record<string, unknown> {
    return buildAsyncApi();
  }

  @Get('schemas')
  @ApiOperation({ summary: 'Every event type, its current schema version and where its JSON Schema is' })
  schemas(): { topic: string; version: number; id: string; url: string }[] {
    return (Object.keys(TOPIC_CATALOGUE) as Topic[]).map((topic) => {
      const version = eventVersionOf(topic);
      return { topic, version, id: eventJsonSchema(topic).$id as string, url: `/events/schemas/${topic}/v${version}` };
    });
  }

  @Get('schemas/:topic/:version')
  @ApiOperation({ summary: "An event type's JSON Schema (draft 2020-12) at a version, e.g. /events/schemas/backup.completed/v1" })
  schema(@Param('topic') topic: string, @Param('version') version: string): Record<string, unknown> {
    if (!isTopic(topic)) throw new NotFoundException(`no event type "${topic}": GET /events/schemas lists them`);
    const current = eventVersionOf(topic);
    if (version !== `v${current}`) throw new NotFoundException(`${topic} has no schema version "${version}": its versions are v${current}`);
    return eventJsonSchema(topic);
  }
}
