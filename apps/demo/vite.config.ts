import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { sourceConditions } from '../../vitest.shared.js';
import { servedRoots } from './server/served-roots.js';

// Workspace packages resolve to their src/ (the `source` condition), so the demo needs no build of the kit.
export default defineConfig({
  ...sourceConditions,
  plugins: [react()],
  server: {
    // Only the app's own sources and the workspace packages it imports are served; never data,
    // environment files or anything else in the repository. No CORS: only the demo's own page reads it.
    cors: false,
    fs: {
      strict: true,
      allow: [...servedRoots],
      deny: ['.env', '.env.*', '*.{crt,pem,key}', '**/.data/**', '**/.git/**', '**/test/**', '**/*.test.*'],
    },
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
