import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildAsyncApi } from '../src/asyncapi';

/** Regenerates libs/contracts/asyncapi.json from the topic catalogue and payload classes. */
const file = path.join(__dirname, '..', 'asyncapi.json');
writeFileSync(file, JSON.stringify(buildAsyncApi(), null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), file)}`);
