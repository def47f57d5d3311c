import { KEY_SLOT_LABEL, SNAPSHOT_ID_OR_PREFIX } from '@arca/contracts';
import { BadRequestException, ParseUUIDPipe, PipeTransform } from '@nestjs/common';

/** A path parameter that must be a UUID; a bad one is a 400 naming it ("policy id must be a UUID"). */
export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException(`${name} must be a UUID`) });
}

/**
 * A snapshot id or unique prefix in the path, checked before it is forwarded: `..` or `.` would
 * otherwise become a path segment of the internal URL, which fetch resolves (GET /snapshots/..
 * reached ingest as GET /, answered "Cannot GET /").
 */
export const snapshotIdParam: PipeTransform<string, string> = {
  transform(value: string) {
    if (!SNAPSHOT_ID_OR_PREFIX.test(value)) throw new BadRequestException('snapshot id must be 4 to 64 hex digits (an id or a unique prefix of one)');
    return value;
  },
};

/** A key slot's id or label in the path, checked before it is forwarded (`..` would become a segment of the internal URL, as above). */
export const keySlotParam: PipeTransform<string, string> = {
  transform(value: string) {
    if (!KEY_SLOT_LABEL.test(value)) throw new BadRequestException('slot must be a key slot id or label: 1-64 letters, digits, spaces and . _ @ -, starting with a letter or digit');
    return value;
  },
};
