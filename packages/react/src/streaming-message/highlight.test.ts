import { describe, expect, it } from 'vitest';
import { type HighlightNode, highlight } from './highlight.js';

const classes = (nodes: readonly HighlightNode[] | undefined): string[] =>
  (nodes ?? []).flatMap((node) => (node.type === 'span' ? [node.className, ...classes(node.children)] : []));

describe('highlight', () => {
  it('loads a grammar when a fence first names it, by name or by alias', () => {
    expect(classes(highlight('const a = 1;', 'typescript'))).toContain('hljs-keyword');
    expect(classes(highlight('def f():\n  return 1', 'py'))).toContain('hljs-keyword');
    expect(classes(highlight('echo "hi"', 'sh'))).toContain('hljs-string');
    expect(classes(highlight('a: 1', 'YML'))).toContain('hljs-attr');
  });

  it('leaves a language it does not know as plain text', () => {
    expect(highlight('anything', 'no-such-language')).toBeUndefined();
    expect(highlight('x', 'toString')).toBeUndefined();
  });
});
