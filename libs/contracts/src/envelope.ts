import { plainToInstance } from 'class-transformer';
import { IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, MaxLength, Min, validate, ValidationError } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { isTopic, PayloadOf, Topic, TOPIC_CATALOGUE } from './topics';

/** The schema version of every event type; bump with a new payload class when a payload changes incompatibly. */
export const EVENT_VERSION = 1;

/** Every message on every topic: metadata for tracing, idempotency and audit, around the payload. */
export class EventEnvelope<P = unknown> {
  /** Unique per event: consumers skip an eventId they already processed. */
  @IsUUID() eventId: string;
  /** The topic name. */
  @IsString() type: string;
  @IsInt() @Min(1) version: number;
  @IsISO8601() occurredAt: string;
  @IsOptional() @IsUUID() jobId?: string;
  @IsOptional() @IsString() @MaxLength(200) actor?: string;
  @IsObject() payload: P;
}

export type EventOf<T extends Topic> = EventEnvelope<PayloadOf<T>> & { type: T };

export function createEvent<T extends Topic>(topic: T, payload: PayloadOf<T>, options: { jobId?: string; actor?: string } = {}): EventOf<T> {
  return {
    eventId: randomUUID(),
    type: topic,
    version: EVENT_VERSION,
    occurredAt: new Date().toISOString(),
    ...(options.jobId ? { jobId: options.jobId } : {}),
    ...(options.actor ? { actor: options.actor } : {}),
    payload,
  } as EventOf<T>;
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => (message.startsWith(e.property) || message.startsWith(path) ? message.replace(e.property, path) : `${path}: ${message}`));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** Checks a value against a payload or DTO class; returns every problem, each naming its field. */
export async function validationProblems<T extends object>(cls: new () => T, value: unknown, options: { forbidUnknownFields?: boolean } = {}): Promise<{ instance: T; problems: string[] }> {
  const instance = plainToInstance(cls, value);
  if (typeof instance !== 'object' || instance === null || Array.isArray(instance)) return { instance, problems: ['expected a JSON object'] };
  // Events drop fields they do not know (a newer producer may add some); requests may refuse them.
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: options.forbidUnknownFields ?? false, forbidUnknownValues: true });
  return { instance, problems: flatten(errors) };
}

export type ValidationResult<T extends Topic> = { ok: true; event: EventOf<T> } | { ok: false; reason: string };

/**
 * Parses and validates a message consumed from `topic`: JSON, envelope, then the topic's payload
 * class. The reason names every failing field, for the dead-letter topic.
 */
export async function validateEvent<T extends Topic>(topic: T | string, raw: Buffer | string | null | undefined): Promise<ValidationResult<T>> {
  if (!isTopic(topic)) return { ok: false, reason: `unknown topic "${topic}"` };
  if (raw === null || raw === undefined || raw.length === 0) return { ok: false, reason: 'empty message' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString());
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const envelope = await validationProblems(EventEnvelope, parsed);
  if (envelope.problems.length > 0) return { ok: false, reason: `invalid envelope: ${envelope.problems.join('; ')}` };
  if (envelope.instance.type !== topic) return { ok: false, reason: `envelope type "${envelope.instance.type}" does not match topic "${topic}"` };
  if (envelope.instance.version !== EVENT_VERSION) return { ok: false, reason: `unsupported ${topic} version ${envelope.instance.version} (this consumer reads version ${EVENT_VERSION})` };
  const payload = await validationProblems(TOPIC_CATALOGUE[topic].payload as new () => object, (parsed as { payload: unknown }).payload);
  if (payload.problems.length > 0) return { ok: false, reason: `invalid ${topic} payload: ${payload.problems.join('; ')}` };
  return { ok: true, event: { ...envelope.instance, payload: payload.instance } as EventOf<T> };
}
