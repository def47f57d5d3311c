import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { PLATFORM_HEALTHY_MS, PLATFORM_HOOK_MS, startTestPlatform, TestPlatform } from './test-platform';

/**
 * One healthy test platform for a spec file (started before its tests, destroyed after), and
 * temporary directories that go with it. `env` may be a function, for values known only once
 * the file's own setup has run (a stand-in collector's port).
 */
export function usePlatform(env: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv) = {}) {
  let platform: TestPlatform | undefined;
  const dirs: string[] = [];
  beforeAll(async () => {
    platform = await startTestPlatform(typeof env === 'function' ? env() : env);
    if (!(await platform.waitUntilHealthy(PLATFORM_HEALTHY_MS))) throw new Error(`platform did not become healthy:\n${platform.logs.slice(-40).join('\n')}`);
  }, PLATFORM_HOOK_MS);
  afterAll(async () => {
    await platform?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, 180_000); // a real-sizes spec removes some 70,000 files
  return {
    get platform(): TestPlatform {
      if (!platform) throw new Error('the test platform is not started (use it inside tests)');
      return platform;
    },
    tempDir(name: string): string {
      const dir = mkdtempSync(path.join(os.tmpdir(), `arca-e2e-${name}-`));
      dirs.push(dir);
      return dir;
    },
  };
}
