import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildAsyncApi } from '../src/asyncapi';
import { eventSchemas } from '../src/event-schemas';
import { snapshotCompatibilityProblems } from '../src/schema-compatibility';

/**
 * Regenerates libs/contracts/asyncapi.json from the topic catalogue and payload classes, and the
 * committed event-schema snapshot (libs/contracts/event-schemas.json), which it refuses to update
 * over an incompatible change within a version (docs/events.md, "Versions").
 */
const root = path.join(__dirname, '..');
const snapshotFile = path.join(root, 'event-schemas.json');
const current = eventSchemas();
if (existsSync(snapshotFile)) {
  const problems = snapshotCompatibilityProblems(JSON.parse(readFileSync(snapshotFile, 'utf8')), current);
  if (problems.length > 0) {
    console.error(`incompatible event schema changes (a breaking change is a new version: see docs/events.md):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
}
writeFileSync(snapshotFile, JSON.stringify(current, null, 2) + '\n');
const file = path.join(root, 'asyncapi.json');
writeFileSync(file, JSON.stringify(buildAsyncApi(), null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), file)} and ${path.relative(process.cwd(), snapshotFile)}`);
