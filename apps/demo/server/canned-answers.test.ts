import { type MarkdownElement, type MarkdownNode, parseMarkdown } from '@resumable/markdown';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUGGESTED_PROMPTS } from '../src/suggestions.js';
import { CANNED_ANSWERS, DEFAULT_ANSWER, pickAnswer } from './canned-answers.js';

const ALL_ANSWERS = [...CANNED_ANSWERS, DEFAULT_ANSWER];

const isElement = (node: MarkdownNode): node is MarkdownElement => node.type === 'element';

function findAll(nodes: readonly MarkdownNode[], tagName: string): MarkdownElement[] {
  const found: MarkdownElement[] = [];
  const visit = (node: MarkdownNode) => {
    if (!isElement(node)) return;
    if (node.tagName === tagName) found.push(node);
    node.children.forEach(visit);
  };
  nodes.forEach(visit);
  return found;
}

/** Text a reader sees as prose: everything outside code spans and code blocks. */
function proseText(nodes: readonly MarkdownNode[]): string[] {
  const out: string[] = [];
  const visit = (node: MarkdownNode) => {
    if (!isElement(node)) {
      out.push(node.value);
      return;
    }
    if (node.tagName === 'pre' || node.tagName === 'code') return;
    node.children.forEach(visit);
  };
  nodes.forEach(visit);
  return out;
}

const hasTable = (text: string) => findAll(parseMarkdown(text), 'table').length > 0;
const hasCode = (text: string) => findAll(parseMarkdown(text), 'pre').length > 0;

describe('canned answers', () => {
  it('have unique topics, and every one is reachable from some prompt', () => {
    const topics = ALL_ANSWERS.map((answer) => answer.topic);
    expect(new Set(topics).size).toBe(topics.length);
    for (const answer of CANNED_ANSWERS) {
      const reachable = answer.keywords.some((keyword) => pickAnswer(keyword) === answer);
      expect(reachable, `no keyword of "${answer.topic}" selects it`).toBe(true);
    }
  });

  it.each(ALL_ANSWERS.map((answer) => [answer.topic, answer] as const))(
    '"%s" parses completely: no raw markdown markers left in the prose',
    (_topic, answer) => {
      const nodes = parseMarkdown(answer.text);
      expect(nodes.length).toBeGreaterThan(1);
      for (const text of proseText(nodes)) {
        expect(text).not.toMatch(/\*\*|__|~~|`|\[[ x]\] /);
        for (const line of text.split('\n')) {
          expect(line).not.toMatch(/^\s*(?:#{1,6} |> |[-*+] |\d+\. |\|)/);
        }
      }
    },
  );

  it('each answer contains what its shape promises', () => {
    for (const answer of ALL_ANSWERS) {
      const nodes = parseMarkdown(answer.text);
      if (answer.shape === 'table') expect(findAll(nodes, 'table'), answer.topic).not.toHaveLength(0);
      if (answer.shape === 'code') expect(findAll(nodes, 'pre'), answer.topic).not.toHaveLength(0);
      if (answer.shape === 'list') expect(findAll(nodes, 'li').length, answer.topic).toBeGreaterThanOrEqual(5);
      if (answer.shape === 'long') expect(answer.text.length, answer.topic).toBeGreaterThan(4000);
    }
  });
});

describe('pickAnswer', () => {
  it('answers a request for a table with a GFM table, never with code alone', () => {
    const answer = pickAnswer('show me a table of HTTP status codes');
    expect(answer.topic).toBe('http status codes');
    const table = findAll(parseMarkdown(answer.text), 'table')[0]!;
    expect(findAll([table], 'th').map((th) => proseText([th]).join(''))).toEqual([
      'Code',
      'Name',
      'What it means',
      'Retry?',
    ]);
    expect(findAll([table], 'tr').length).toBeGreaterThan(10);
    for (const prompt of [
      'a table of code review tips',
      'put the typescript functions in a table',
      'make me a table',
      'Table of python snippets please',
      'show the results in columns',
    ]) {
      expect(hasTable(pickAnswer(prompt).text), prompt).toBe(true);
    }
    expect(pickAnswer('make me a table').topic).toBe('http status codes');
  });

  it('answers a request for code with code', () => {
    expect(pickAnswer('Write a debounce function').topic).toBe('debounce');
    expect(pickAnswer('write a sql query for top customers').topic).toBe('sql');
    expect(pickAnswer('token bucket rate limiting in python').topic).toBe('rate limiting');
    for (const prompt of ['write some code', 'show me a code snippet', 'implement it in typescript', 'a function']) {
      expect(hasCode(pickAnswer(prompt).text), prompt).toBe(true);
    }
  });

  it('answers a request for a list with a list, and a request for length with the long answer', () => {
    expect(pickAnswer('how do I deploy to production').topic).toBe('deploy');
    expect(pickAnswer('list the steps to deploy').topic).toBe('deploy');
    expect(pickAnswer('give me some tips').topic).toBe('chat ui tips');
    expect(pickAnswer('give me a list').shape).toBe('list');
    expect(pickAnswer('give me a long answer').topic).toBe('long read');
    expect(pickAnswer('a detailed essay please').topic).toBe('long read');
  });

  it('matches keywords as whole words, so "codes" or "long polling" do not mislead it', () => {
    expect(pickAnswer('what do HTTP status codes mean').topic).toBe('http status codes');
    expect(pickAnswer('SHOW ME A TABLE OF HTTP STATUS CODES').topic).toBe('http status codes');
    expect(pickAnswer('write\na   debounce\tfunction!').topic).toBe('debounce');
    expect(pickAnswer('compare WebSockets vs SSE').topic).toBe('transports');
    expect(pickAnswer('compare websockets and long polling').topic).toBe('transports');
    expect(pickAnswer('what happens in a long outage').topic).toBe('resume');
    expect(pickAnswer('explain how resume works after a disconnect').topic).toBe('resume');
    // "rate" inside "accurate" and "api" inside "capital" are not words of the prompt.
    expect(pickAnswer('an accurate capital').topic).toBe(DEFAULT_ANSWER.topic);
  });

  it('gives the default answer to a prompt that matches nothing, and is deterministic', () => {
    for (const prompt of ['hello there', 'what is the weather like', '', '   ', '🎉']) {
      expect(pickAnswer(prompt)).toBe(DEFAULT_ANSWER);
    }
    expect(pickAnswer('hello there')).toBe(pickAnswer('hello there'));
  });

  it('breaks ties by the answer mainly of the kind asked for, then by the order of the list', () => {
    // "python" (rate limiting, code) and "sql" (sql, code) score one each; the list order decides.
    expect(pickAnswer('python or sql?').topic).toBe('sql');
    // One keyword each for deploy ("checklist") and the tips ("chat"); a list was asked for, both are lists.
    expect(pickAnswer('a checklist for chat').topic).toBe('deploy');
    // "api" (rate limiting, code with a table) and "status" (http status codes, a table) score one each:
    // asked for a table, the answer that is a table wins though it comes later in the list.
    expect(pickAnswer('api status').topic).toBe('rate limiting');
    expect(pickAnswer('api status table').topic).toBe('http status codes');
  });

  it('holds for any prompt: an answer from the list, the same every time, a table whenever one is asked for', () => {
    const words = fc.constantFrom('code', 'table', 'list', 'long', 'sql', 'http', 'tips', 'vs', 'deploy', 'the', '?');
    const prompt = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      fc.array(fc.oneof(words, fc.string({ maxLength: 8 })), { maxLength: 8 }).map((parts) => parts.join(' ')),
    );
    fc.assert(
      fc.property(prompt, (text) => {
        const answer = pickAnswer(text);
        expect(ALL_ANSWERS).toContain(answer);
        expect(pickAnswer(text)).toBe(answer);
        expect(hasTable(pickAnswer(`a table of ${text}`).text)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('maps every prompt the demo suggests to an answer of the kind it promises', () => {
    expect(SUGGESTED_PROMPTS.length).toBeGreaterThanOrEqual(4);
    for (const suggestion of SUGGESTED_PROMPTS) {
      const answer = pickAnswer(suggestion.prompt);
      expect(answer, suggestion.prompt).not.toBe(DEFAULT_ANSWER);
      expect(answer.shape, suggestion.prompt).toBe(suggestion.shows);
    }
    const shown = new Set(SUGGESTED_PROMPTS.map((suggestion) => suggestion.shows));
    for (const shape of ['code', 'table', 'list', 'long'] as const) expect(shown).toContain(shape);
  });

  it('maps every prompt the default answer recommends to an answer other than the default', () => {
    const quoted = [...DEFAULT_ANSWER.text.matchAll(/“([^”]+)”/g)].map((match) => match[1]!);
    expect(quoted.length).toBeGreaterThan(5);
    for (const prompt of quoted) expect(pickAnswer(prompt), prompt).not.toBe(DEFAULT_ANSWER);
    expect(pickAnswer('show me a table of HTTP status codes').shape).toBe('table');
  });
});
