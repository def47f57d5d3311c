import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { deadLetterTopic, isTopic, TOPIC_CATALOGUE, TOPICS } from './topics';

/** The fields a payload class validates: the ones a message can be relied on to carry. */
function validatedFields(cls: new () => object): string[] {
  return getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).map((m) => m.propertyName);
}

describe('topic catalogue', () => {
  it('names every catalogued topic in TOPICS, and nothing else', () => {
    expect(Object.values(TOPICS).sort()).toEqual(Object.keys(TOPIC_CATALOGUE).sort());
  });

  it('keys every topic by a field its payload class validates', () => {
    for (const [topic, entry] of Object.entries(TOPIC_CATALOGUE)) {
      expect(validatedFields(entry.payload), `${topic} is keyed by "${entry.key}"`).toContain(entry.key);
    }
  });

  it('knows its own topics and no others', () => {
    expect(isTopic('backup.completed')).toBe(true);
    expect(isTopic('backup.complete')).toBe(false);
    expect(isTopic('toString')).toBe(false);
  });

  it('names dead-letter topics after their source topic', () => {
    expect(deadLetterTopic('backup.requested')).toBe('backup.requested.dlq');
  });
});
