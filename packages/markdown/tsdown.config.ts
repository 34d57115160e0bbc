import { defineConfig } from 'tsdown';
import { markdownItDependencies } from './build/markdown-it-dependencies.js';
import { thirdPartyLicenses } from './build/third-party-licenses.js';

// markdown-it is bundled so that four of its imports can be swapped for smaller modules of ours
// (build/markdown-it-dependencies.ts); the licences of what is bundled ship in
// dist/THIRD-PARTY-LICENSES.md.
const BUNDLED = ['markdown-it', 'markdown-it-footnote', 'mdurl'];

export default defineConfig({
  entry: ['src/index.ts'],
  format: 'esm',
  platform: 'neutral',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  deps: { alwaysBundle: BUNDLED, onlyBundle: BUNDLED },
  plugins: [markdownItDependencies(), thirdPartyLicenses()],
});
