// `pnpm bench hostile-markdown [kb]`: streams model output made to be slow to parse (one character or
// pair repeated, no whitespace, delimiters never closed) into the streaming markdown renderer, 8
// characters per update, and prints the total time against prose of the same length, measured in
// the same run. A flat renderer keeps every ratio small; a ratio that grows with `kb` is a parse whose
// cost per update grows with the text (the whole open paragraph parsed again each time).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The built package, as it ships (markdown-it bundled with its imports replaced), not the sources.
const built = new URL('../packages/markdown/dist/index.js', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  console.error('bench hostile-markdown measures the built package: run `pnpm build` first');
  process.exit(1);
}
const { createStreamingMarkdown, parseMarkdown } = (await import(
  built.href
)) as typeof import('../packages/markdown/src/index.js');

const bytes = Number(process.argv[2] ?? 20) * 1000;
const STEP = 8;

const units: Readonly<Record<string, string>> = {
  prose: 'lorem ipsum ',
  'no spaces': 'a.',
  'open [': '[',
  'open *': '*',
  'intraword _': '_a',
  'open **': '**a',
  'open ~~': '~~a',
  'emphasis lines': '*a\n',
  'brackets []': '[]',
  'footnote refs': '[^a]',
  backslashes: '\\',
  ampersands: '&',
  '<': '<',
  'code ticks': '`',
  '_www.': '_www.',
};

function streamed(text: string): number {
  const renderer = createStreamingMarkdown();
  const started = performance.now();
  for (let end = STEP; end <= text.length; end += STEP) renderer.update(text.slice(0, end));
  renderer.update(text, { complete: true });
  return performance.now() - started;
}

console.log(`streaming ${bytes / 1000} KB, ${STEP} characters per update; total ms, and x prose:`);
let proseMs = 0;
for (const [name, unit] of Object.entries(units)) {
  const text = unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
  const onceStarted = performance.now();
  parseMarkdown(text);
  const once = performance.now() - onceStarted;
  const ms = streamed(text);
  if (name === 'prose') proseMs = ms;
  console.log(
    `  ${name.padEnd(15)} streamed ${ms.toFixed(0).padStart(6)} ms  ${(ms / proseMs).toFixed(1).padStart(6)}x prose` +
      `  (parsed once: ${once.toFixed(1)} ms)`,
  );
}
