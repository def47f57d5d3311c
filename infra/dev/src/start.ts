/**
 * `npm start`: the whole platform on this machine with embedded defaults (see platform.ts),
 * until Ctrl-C. Data lives in ARCA_DATA_DIR (default .arca/ in the repository).
 */
import path from 'node:path';
import { silenceKnownKafkajsWarning } from '@arca/service-kit';
import { REPO_ROOT, startPlatform } from './platform';

function log(line: string): void {
  process.stdout.write(`[arca] ${line}\n`);
}

async function main(): Promise<void> {
  silenceKnownKafkajsWarning(); // the embedded broker's clients are kafkajs too
  const dataDir = path.resolve(process.env.ARCA_DATA_DIR ?? path.join(REPO_ROOT, '.arca'));
  // Services log JSON lines (for log search); at a terminal, readable lines unless LOG_FORMAT says otherwise.
  const env = { LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json', ...process.env };
  const platform = await startPlatform({ env, dataDir, log, output: (line) => process.stdout.write(line + '\n') });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping services`);
    void platform.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (await platform.waitUntilHealthy(120_000)) {
    const g = platform.gatewayUrl;
    log(`Arca is up: console ${g}/  ·  API docs ${g}/api/docs  ·  health ${g}/health`);
    const key = platform.createdAdminKey();
    if (key) {
      // Shown this once; the gateway keeps only its hash. The CLI reads the file (or ARCA_API_KEY).
      log(`created the first admin API key; it is shown only now, and saved in ${platform.adminKeyFile} (mode 0600), where the arca CLI finds it:`);
      log(`  ${key}`);
      log('  (make keys for people with "npx arca keys create NAME --role operator", and revoke this one when you no longer need it)');
    }
  } else if (!stopping) {
    log(`the gateway did not report healthy within 120 s; see the service logs above (${platform.gatewayUrl}/health)`);
  }
}

main().catch((error) => {
  process.stderr.write(`[arca] could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
