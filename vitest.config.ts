import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

// SWC instead of esbuild: NestJS dependency injection needs emitDecoratorMetadata, which esbuild does not emit.

/**
 * The long tests: the chaos suite (two platforms, 19 faults) and the 3 GiB file. Together about
 * twelve minutes on the 2-core CI machine, so `npm test` leaves them to `npm run test:long`, which
 * `.ci/run` runs after it: both run in CI, and `npm test` stays well inside its 30 minutes.
 */
export const LONG_TESTS = ['e2e/chaos/service-kills.spec.ts', 'e2e/chaos/outside-parts.spec.ts', 'e2e/src/real-sizes/big-file.spec.ts'];

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: process.env.ARCA_TESTS === 'long'
      ? LONG_TESTS
      : ['{libs,services,infra}/*/src/**/*.spec.ts', 'cli/src/**/*.spec.ts', 'e2e/src/**/*.spec.ts', 'e2e/chaos/*.spec.ts'],
    exclude: process.env.ARCA_TESTS === 'long' ? configDefaults.exclude : [...configDefaults.exclude, ...LONG_TESTS],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration tests share the local Postgres and loopback ports; each file isolates itself
    // (own schema / random ports), so files may run side by side.
    fileParallelism: true,
    reporters: ['default'],
  },
});
