import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: NestJS dependency injection needs emitDecoratorMetadata, which esbuild does not emit.

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['{libs,services,infra}/*/src/**/*.spec.ts', 'cli/src/**/*.spec.ts', 'e2e/src/**/*.spec.ts', 'e2e/chaos/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration tests share the local Postgres and loopback ports; each file isolates itself
    // (own schema / random ports), so files may run side by side.
    fileParallelism: true,
    reporters: ['default'],
  },
});
