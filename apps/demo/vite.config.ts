import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { sourceConditions } from '../../vitest.shared.js';

// Workspace packages resolve to their src/ (the `source` condition), so the demo needs no build of the kit.
export default defineConfig({
  ...sourceConditions,
  plugins: [react()],
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
