import { defineConfig } from 'tsdown';

export default defineConfig({
  // `index` and `hooks` start with `'use client'`: rolldown keeps an entry module's directive on its
  // entry file (not on shared chunks, so `server.js` stays a server module). scripts/check-dist.mjs checks it.
  entry: ['src/index.ts', 'src/hooks.ts', 'src/server.ts'],
  format: 'esm',
  platform: 'browser',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
});
