import { defineConfig } from 'tsdown';

export default defineConfig({
  // `index`, `hooks` and `streaming-message` (a file of its own, so hooks-only imports of `index` drop
  // the markdown parser) start with `'use client'`: rolldown keeps an entry module's directive on its
  // entry file (not on shared chunks, so `server.js` stays a server module). scripts/check-dist.mjs checks it.
  entry: ['src/index.ts', 'src/hooks.ts', 'src/streaming-message.ts', 'src/server.ts'],
  format: 'esm',
  platform: 'browser',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
});
