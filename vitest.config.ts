import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: NestJS dependency injection needs emitDecoratorMetadata, which esbuild does not emit.
// The chaos suite (e2e/chaos) takes ~11 minutes on 2 cores, which would put npm test near its
// 30-minute limit: it runs with `npm run test:chaos` (and `npm run chaos` for the long run).
const chaosSuite = process.env.ARCA_CHAOS_TESTS ? ['e2e/chaos/**/*.spec.ts'] : [];

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['{libs,services,infra}/*/src/**/*.spec.ts', 'cli/src/**/*.spec.ts', 'e2e/src/**/*.spec.ts', ...chaosSuite],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration tests share the local Postgres and loopback ports; each file isolates itself
    // (own schema / random ports), so files may run side by side.
    fileParallelism: true,
    reporters: ['default'],
  },
});
