import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'ai-sdk': 'src/adapters/ai-sdk.ts',
    openai: 'src/adapters/openai.ts',
    anthropic: 'src/adapters/anthropic.ts',
  },
  format: 'esm',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
});
