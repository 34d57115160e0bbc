import { describe, expect, it } from 'vitest';
import { commonmarkDifferences, gfmDifferences } from '../test/spec-differences.js';
import { commonmarkExamples, gfmExamples, type SpecExample } from '../test/spec-examples.js';
import { normalizeSpecHtml, SPEC_BASE, specHtml } from '../test/spec-html.js';
import { createStreamingMarkdown, parseMarkdown } from './streaming-markdown.js';

// Relative targets resolve against a page, and images from that page's origin load, so the
// examples exercise links and images rather than the refusal of relative URLs.
const urlPolicy = { baseUrl: SPEC_BASE, imageOrigins: [new URL(SPEC_BASE).origin] };

function checkSuite(examples: readonly SpecExample[], differences: ReadonlyMap<number, string>): void {
  it.each(examples.map((example) => [example.number, example] as const))('example %i', (_number, example) => {
    const ours = normalizeSpecHtml(specHtml(parseMarkdown(example.markdown, { urlPolicy })));
    const expected = normalizeSpecHtml(example.html);
    const reason = differences.get(example.number);
    if (reason === undefined) expect(ours, example.markdown).toBe(expected);
    else expect(ours, `listed as different (${reason}) but agrees`).not.toBe(expected);
  });

  it('streams every example to the same final render, one character at a time', () => {
    for (const { markdown } of examples) {
      const doc = createStreamingMarkdown({ urlPolicy });
      for (let end = 1; end < markdown.length; end++) doc.update(markdown.slice(0, end));
      const nodes = doc.update(markdown, { complete: true }).blocks.flatMap((block) => block.nodes);
      expect(nodes, markdown).toEqual(parseMarkdown(markdown, { urlPolicy }));
    }
  }, 60_000);
}

describe('CommonMark 0.31.2 spec examples', () => checkSuite(commonmarkExamples, commonmarkDifferences));
describe('GFM 0.29 extension examples', () => checkSuite(gfmExamples, gfmDifferences));
