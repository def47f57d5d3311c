import { IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { TENANT_ID } from './common/tenant';
import type { PayloadOf, Topic } from './topics';

/** The schema version of every event type; bump with a new payload class when a payload changes incompatibly. */
export const EVENT_VERSION = 1;

/** Every message on every topic: metadata for tracing, idempotency and audit, around the payload. */
export class EventEnvelope<P = unknown> {
  /** Unique per event: consumers skip an eventId they already processed (Kafka delivers at least once). */
  @IsUUID() eventId: string;
  /** The topic name; a message whose type differs from the topic it was read from is refused. */
  @IsString() type: string;
  @IsInt() @Min(1) version: number;
  @IsISO8601() occurredAt: string;
  /** The backup, restore, check or prune job the event belongs to, where there is one. */
  @IsOptional() @IsUUID() jobId?: string;
  /** Who caused it: an operator's name, or absent for the platform's own doing (a schedule). */
  @IsOptional() @IsString() @MaxLength(200) actor?: string;
  /** The tenant whose policy, job or snapshot it is about (a slug); absent: `default` (events from before tenants). */
  @IsOptional() @IsString() @Matches(TENANT_ID) tenant?: string;
  @IsObject() payload: P;
}

/** The envelope of a topic, typed by the topic's payload class. */
export type EventOf<T extends Topic> = EventEnvelope<PayloadOf<T>> & { type: T };
