import { describe, expect, it } from 'vitest';
import { repairMarkdown } from './repair.js';

describe('repairMarkdown', () => {
  it.each([
    ['closes strong', 'Some **bold te', 'Some **bold te**'],
    ['closes emphasis', 'x *it', 'x *it*'],
    ['closes underscore emphasis', '**bold** and _it', '**bold** and _it_'],
    ['closes strikethrough', '~~del', '~~del~~'],
    ['closes nested emphasis innermost first', '**bold *and it', '**bold *and it***'],
    ['closes inline code', 'run `pnpm te', 'run `pnpm te`'],
    ['leaves emphasis inside code alone', 'run `a*b', 'run `a*b`'],
    ['holds back a marker with nothing after it', 'hello **', 'hello'],
    ['holds back a lone backtick', 'see `', 'see'],
    ['shows link text until the target is complete', 'See [the docs](https://exa', 'See the docs'],
    ['shows link text while the label is typed', 'See [the do', 'See the do'],
    ['holds back an image', 'Look ![chart](https://evil.example/?q=', 'Look'],
    ['holds back a footnote reference', 'Claim[^1', 'Claim'],
    ['holds back a half-typed list marker', 'Steps:\n\n1.', 'Steps:\n\n'],
    ['holds back a half-typed task box', 'Todo:\n\n- [', 'Todo:\n\n'],
    ['holds back a dash that would make a setext heading', 'para\n- ', 'para\n'],
    ['holds back an empty heading marker', 'Intro\n\n##', 'Intro\n\n'],
    ['holds back a fence being opened', 'Code:\n\n``', 'Code:\n\n'],
    ['holds back a table header until its delimiter row', 'Data:\n\n| a | b |\n|--', 'Data:\n\n'],
    ['holds back a table row being typed', '| a | b |\n|---|---|\n| 1 | 2', '| a | b |\n|---|---|\n'],
    ['keeps a complete table row', '| a |\n|---|\n| 1 |\n', '| a |\n|---|\n| 1 |\n'],
    ['holds back a half-typed closing fence', '```js\nconst x\n``', '```js\nconst x\n'],
    ['repairs inside a blockquote', '> quote **b', '> quote **b**'],
    ['repairs inside a list item', '- item with `co', '- item with `co`'],
  ])('%s', (_name, input, expected) => {
    expect(repairMarkdown(input)).toBe(expected);
  });

  it.each([
    ['intraword underscores', 'call snake_case_name'],
    ['arithmetic stars', 'so 2 * 3 * 4'],
    ['a complete paragraph followed by a blank line', 'Some **bold\n\n'],
    ['an unclosed fence (the parser renders it as code)', '```py\nprint("**")'],
    ['indented code', '    let a = `b'],
    ['escaped markers', 'not \\*emphasis'],
    ['an empty text', ''],
  ])('leaves %s alone', (_name, input) => {
    expect(repairMarkdown(input)).toBe(input);
  });
});
