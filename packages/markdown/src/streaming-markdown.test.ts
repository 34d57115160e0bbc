import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answers } from '../test/corpus.js';
import { collectFootnotes } from './footnotes.js';
import { repairMarkdown } from './repair.js';
import { createStreamingMarkdown, type MarkdownSnapshot, parseMarkdown } from './streaming-markdown.js';

const nodesOf = (snapshot: MarkdownSnapshot) => snapshot.blocks.flatMap((block) => block.nodes);
const corpus = Object.entries(answers);

describe('createStreamingMarkdown', () => {
  it.each(corpus)('renders every prefix of "%s" like a full parse of the repaired prefix', (_name, text) => {
    const doc = createStreamingMarkdown();
    for (let end = 0; end <= text.length; end++) {
      const prefix = text.slice(0, end);
      expect(nodesOf(doc.update(prefix)), JSON.stringify(prefix.slice(-40))).toEqual(
        parseMarkdown(prefix, { repair: true }),
      );
    }
    expect(nodesOf(doc.update(text, { complete: true }))).toEqual(parseMarkdown(text));
  });

  it('gives the same result for any chunking of the stream (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus.map(([, text]) => text)),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }),
        (text, sizes) => {
          const doc = createStreamingMarkdown();
          let end = 0;
          for (let i = 0; end < text.length; i++) {
            end = Math.min(text.length, end + sizes[i % sizes.length]!);
            const prefix = text.slice(0, end);
            expect(nodesOf(doc.update(prefix))).toEqual(parseMarkdown(prefix, { repair: true }));
          }
          expect(nodesOf(doc.update(text, { complete: true }))).toEqual(parseMarkdown(text));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('parses a completed block once and keeps its identity', () => {
    const text = answers.code! + answers.prose! + answers.rtl!;
    const doc = createStreamingMarkdown();
    const seen = new Map<string, object>();
    for (let end = 4; end <= text.length; end += 4) {
      const snapshot = doc.update(text.slice(0, end));
      for (const block of snapshot.blocks) {
        if (block.open) continue;
        const previous = seen.get(block.key);
        if (previous) expect(block).toBe(previous);
        else seen.set(block.key, block);
      }
    }
    expect(doc.counters.completedBlocks).toBeGreaterThan(15);
    expect(doc.counters.completedBlockParses).toBe(doc.counters.completedBlocks);
    // The open tail is all that is parsed per update: inline passes are one per update plus one per
    // block, plus at most one per block for the update that finds its open block ended, and one per
    // piece of a long open paragraph kept (each at least 256 characters long).
    const extra = doc.counters.inlinePasses - Math.floor(text.length / 4) - doc.counters.completedBlocks;
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThanOrEqual(doc.counters.completedBlocks + text.length / 256);
  });

  it('parses completed blocks again only when a definition they may use appears', () => {
    const doc = createStreamingMarkdown();
    const text = answers.footnotes!;
    for (let end = 1; end <= text.length; end++) doc.update(text.slice(0, end));
    const { completedBlocks, completedBlockParses } = doc.counters;
    expect(completedBlockParses).toBeGreaterThan(completedBlocks);
    // Bounded by the definition lines being typed, not by the length of the text.
    expect(completedBlockParses).toBeLessThan(completedBlocks * 40);
  });

  it('starts over when the text is replaced rather than extended', () => {
    const doc = createStreamingMarkdown();
    doc.update('# One\n\nfirst paragraph\n\nsecond');
    const replaced = doc.update('# Two\n\nother');
    expect(nodesOf(replaced)).toEqual(parseMarkdown('# Two\n\nother', { repair: true }));
  });

  it('shows an unclosed code fence as code while streaming and closes it when complete', () => {
    const doc = createStreamingMarkdown();
    const streaming = doc.update('Intro\n\n```ts\nconst a = 1;\nconst b');
    const code = streaming.blocks.at(-1)!.nodes[0]!;
    expect(code).toMatchObject({ tagName: 'pre', properties: { language: 'ts', open: true } });
    expect(code.type === 'element' && code.children[0]).toEqual({ type: 'text', value: 'const a = 1;\nconst b' });
    const done = doc.update('Intro\n\n```ts\nconst a = 1;\nconst b = 2;\n```', { complete: true });
    expect(done.blocks.at(-1)!.nodes[0]).toMatchObject({ tagName: 'pre', properties: { language: 'ts' } });
    expect(done.blocks.at(-1)!.nodes[0]).not.toHaveProperty('properties.open');
  });

  it('stops repairing once the response is complete', () => {
    const doc = createStreamingMarkdown();
    expect(nodesOf(doc.update('Price is 5 * 3 and **bold'))).toEqual(parseMarkdown('Price is 5 * 3 and **bold**'));
    // Complete: the stray `**` is what the model wrote, so it stays as text.
    expect(nodesOf(doc.update('Price is 5 * 3 and **bold', { complete: true }))).toEqual([
      {
        type: 'element',
        tagName: 'p',
        properties: {},
        children: [{ type: 'text', value: 'Price is 5 * 3 and **bold' }],
      },
    ]);
  });

  it('renders GFM tables, task lists and footnotes', () => {
    const nodes = parseMarkdown(answers.table!);
    expect(nodes[0]).toMatchObject({ tagName: 'table' });
    const json = JSON.stringify(nodes);
    expect(json).toContain('"align":"center"');
    expect(json).toContain('"checked":true');
    expect(json).toContain('"checked":false');
    expect(json).not.toContain('[x]');
    const doc = createStreamingMarkdown();
    const snapshot = doc.update(answers.footnotes!, { complete: true });
    const { numbers, definitions } = collectFootnotes(snapshot.blocks);
    expect([...numbers]).toEqual([
      ['ttl', 1],
      ['history', 2],
    ]);
    expect(definitions.map((d) => d.properties.label)).toEqual(['ttl', 'history']);
  });

  it('never shows raw markers while a construct is being typed', () => {
    for (const [, text] of corpus) {
      const finalText = JSON.stringify(parseMarkdown(text));
      const doc = createStreamingMarkdown();
      for (let end = 1; end < text.length; end++) {
        const rendered = JSON.stringify(nodesOf(doc.update(text.slice(0, end))));
        // A `**` or a `](` in the rendered text while streaming is a flash unless the final text has it.
        // (A footnote reference shows as `[^label]` until its definition arrives, as GFM says.)
        for (const marker of ['**', '](', '![']) {
          if (!finalText.includes(marker)) expect(rendered, text.slice(0, end)).not.toContain(marker);
        }
      }
    }
  });

  it('repairs only the end: a completed prefix is left as written', () => {
    const head = '# Title\n\nSome *text* and `code`.\n\n';
    expect(repairMarkdown(`${head}More **bol`)).toBe(`${head}More **bol**`);
  });
});
