// One-off scaffolding helper kept for adding future packages with the same shape.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';

const [name, dir, description, platform = 'neutral', typesNode = 'false'] = process.argv.slice(2);
mkdirSync(`${dir}/src`, { recursive: true });
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'MIT',
  repository: { type: 'git', url: 'git+https://github.com/resumable/resumable.git', directory: dir },
  type: 'module',
  sideEffects: false,
  exports: {
    '.': { source: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
    './package.json': './package.json',
  },
  main: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'src', '!src/**/*.test.*', '!src/test-utils'],
  engines: { node: '>=20.19.0' },
  scripts: {
    build: 'tsdown',
    typecheck: 'tsc -p tsconfig.json',
    'check:package': 'publint --strict && attw --pack . --profile esm-only',
  },
};
if (!existsSync(`${dir}/package.json`)) writeFileSync(`${dir}/package.json`, `${JSON.stringify(pkg, null, 2)}\n`);
copyFileSync(new URL('../LICENSE', import.meta.url), `${dir}/LICENSE`);
writeFileSync(
  `${dir}/tsconfig.json`,
  `${JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { types: typesNode === 'true' ? ['node'] : [] }, include: ['src', '*.config.ts'] }, null, 2)}\n`,
);
writeFileSync(
  `${dir}/tsdown.config.ts`,
  `import { defineConfig } from 'tsdown';\n\nexport default defineConfig({\n  entry: ['src/index.ts'],\n  format: 'esm',\n  platform: '${platform}',\n  dts: true,\n  sourcemap: true,\n  clean: true,
  fixedExtension: false,\n});\n`,
);
