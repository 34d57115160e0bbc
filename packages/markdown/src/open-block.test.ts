import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStreamingMarkdown, type MarkdownSnapshot, parseMarkdown } from './streaming-markdown.js';

const nodesOf = (snapshot: MarkdownSnapshot) => snapshot.blocks.flatMap((block) => block.nodes);

function codeDocument(lines: number): string {
  let body = '';
  for (let i = 0; i < lines; i++) body += `  const v${i} = f(${i}, "**x**", [${i}]); // \`${i}\` -\n`;
  return `Here is the file:\n\n\`\`\`ts\n${body}\`\`\`\n\nAfter the code.\n`;
}

function tableDocument(rows: number): string {
  let out = '| # | Pattern | Status | Link |\n|---:|:---|:---:|---|\n';
  for (let i = 1; i <= rows; i++) {
    const cells =
      i % 7 === 0
        ? `${i} | short`
        : `${i} | message-per-**${i % 2 ? 'token' : 'response'}** | \`ok\` | https://example.com/r/${i}`;
    out += i % 5 === 0 ? `${cells}\n` : `| ${cells} |\n`;
  }
  return `[^n0]: Zero.\n\n[^n2]: Two.\n\n${out}\nAfter the table.\n`;
}

function paragraphDocument(items: number): string {
  let out = 'Sources:';
  for (let i = 0; i < items; i++) {
    out += [
      ` see https://example.com/docs/${i}?q=${i},`,
      ` [reference ${i}](https://example.com/ref/${i} "Ref ${i}") and`,
      ` *note ${i}* <https://example.org/${i}>;`,
      ` **bold _mixed ${i}_** \`code ${i}\` ~~gone~~`,
      `\nline ${i} with mail${i}@example.com and [^${i}] or [plain ${i}]`,
    ][i % 5];
  }
  return `${out} done.\n\nNext.\n`;
}

/** One line of links, like the render bench's worst case. */
function linksLine(bytes: number): string {
  let out = 'Sources:';
  for (let i = 0; out.length < bytes; i++) {
    out += [
      ` see https://example.com/docs/${i}?q=${i},`,
      ` [reference ${i}](https://example.com/ref/${i} "Ref ${i}") and`,
      ` *note ${i}* <https://example.org/${i}>;`,
    ][i % 3];
  }
  return `${out} done.\n`;
}

/** One line mixing code spans, emphasis, links and stray markers. */
function mixedLine(items: number): string {
  let out = 'Notes:';
  for (let i = 0; i < items; i++) {
    out += ` see *note ${i}* and **bold ${i}** \`c${i}\` [r](https://e.com/${i}) _x_ 2 * 3 a\\*b`;
    if (i % 4 === 3) out += ' ``a ` b`` <https://e.org/x`y> [^1] ![i](https://e.com/i.png)';
  }
  return `${out} end.\n`;
}

// Every update of a chunked stream must render exactly what a parse of that prefix from scratch renders.
function expectEveryPrefix(text: string, sizes: readonly number[]): void {
  const doc = createStreamingMarkdown();
  let end = 0;
  for (let i = 0; end < text.length; i++) {
    end = Math.min(text.length, end + sizes[i % sizes.length]!);
    const prefix = text.slice(0, end);
    const snapshot = doc.update(prefix);
    expect(nodesOf(snapshot), JSON.stringify(prefix.slice(-60))).toEqual(parseMarkdown(prefix, { repair: true }));
    // The footnotes a block uses, in order, as a fresh renderer finds them.
    const fresh = createStreamingMarkdown().update(prefix);
    expect(snapshot.blocks.map((b) => b.footnoteRefs)).toEqual(fresh.blocks.map((b) => b.footnoteRefs));
  }
  expect(nodesOf(doc.update(text, { complete: true }))).toEqual(parseMarkdown(text));
}

const documents = {
  code: codeDocument(30),
  table: tableDocument(30),
  paragraph: paragraphDocument(30),
  mixed: mixedLine(40),
};
const small = {
  code: codeDocument(10),
  table: tableDocument(10),
  paragraph: paragraphDocument(10),
  links: linksLine(1500),
  mixed: mixedLine(12),
};

/** Mean parser characters per update over `[from, to)` (fractions of the updates) of a 4-character stream. */
function parsedPerUpdate(text: string): (from: number, to: number) => number {
  const doc = createStreamingMarkdown();
  const perUpdate: number[] = [];
  for (let end = 4; end < text.length; end += 4) {
    const before = doc.counters.parsedChars;
    doc.update(text.slice(0, end));
    perUpdate.push(doc.counters.parsedChars - before);
  }
  return (from, to) => {
    const part = perUpdate.slice(Math.floor(perUpdate.length * from), Math.ceil(perUpdate.length * to));
    return part.reduce((sum, n) => sum + n, 0) / part.length;
  };
}

describe('one big open block', () => {
  it.each(Object.entries(small))(
    'renders every prefix of the %s document like a parse from scratch',
    (_, text) => {
      expectEveryPrefix(text, [1]);
    },
    60_000,
  );

  it.each([
    ['a 30 KB code block', codeDocument(500), '```\n\nAfter'],
    ['a 400-row table', tableDocument(400), '\nAfter'],
    ['a 20 KB paragraph of links', linksLine(20_000), ' done.'],
  ])('parses about as much per token at the end of %s as at its start', (_, text, after) => {
    // While the block is open: once it has ended, it is parsed whole once more and then promoted.
    const mean = parsedPerUpdate(text.slice(0, text.indexOf(after)));
    expect(mean(0.9, 1)).toBeLessThan(mean(0, 0.1) * 1.5);
  });

  it.each(Object.entries(documents))(
    'renders every update of any chunking of the %s document like a parse from scratch (property)',
    (_, text) => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 30 }), (sizes) =>
          expectEveryPrefix(text, sizes),
        ),
        { numRuns: 8 },
      );
    },
    60_000,
  );
});
