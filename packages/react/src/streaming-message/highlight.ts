// Loaded with a dynamic import the first time a closed code fence needs highlighting, so the
// grammars never weigh on the initial bundle.
import { common, createLowlight } from 'lowlight';

// Grammars are registered the first time a fence names them: registering all of `common` at once
// runs every grammar's definition and is a long task on a slow device, in the middle of a stream.
const lowlight = createLowlight();

/** Fence names that are not a grammar's own name (each grammar registers its aliases once loaded). */
const ALIASES: Readonly<Record<string, string>> = {
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  py: 'python',
  gyp: 'python',
  sh: 'bash',
  zsh: 'bash',
  console: 'shell',
  shellsession: 'shell',
  yml: 'yaml',
  html: 'xml',
  xhtml: 'xml',
  svg: 'xml',
  rs: 'rust',
  rb: 'ruby',
  kt: 'kotlin',
  kts: 'kotlin',
  cs: 'csharp',
  'c#': 'csharp',
  'c++': 'cpp',
  cc: 'cpp',
  hpp: 'cpp',
  h: 'c',
  golang: 'go',
  md: 'markdown',
  objc: 'objectivec',
  gql: 'graphql',
  toml: 'ini',
  text: 'plaintext',
  txt: 'plaintext',
  jsonc: 'json',
  pl: 'perl',
  mk: 'makefile',
};

/** Register the grammar for a fence name if it is one of lowlight's common ones. */
function ensureGrammar(name: string): boolean {
  if (lowlight.registered(name)) return true;
  const canonical = ALIASES[name] ?? name;
  const grammar = Object.hasOwn(common, canonical) ? common[canonical] : undefined;
  if (!grammar) return false;
  lowlight.register(canonical, grammar);
  return lowlight.registered(name);
}

/** A highlighted node: a span with classes, or text. */
export type HighlightNode =
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'span'; readonly className: string; readonly children: readonly HighlightNode[] };

interface HastLike {
  type: string;
  value?: string;
  properties?: { className?: unknown };
  children?: HastLike[];
}

function convert(nodes: readonly HastLike[]): HighlightNode[] {
  const out: HighlightNode[] = [];
  for (const node of nodes) {
    if (node.type === 'text') out.push({ type: 'text', value: node.value ?? '' });
    else if (node.type === 'element') {
      const className = Array.isArray(node.properties?.className) ? node.properties.className.join(' ') : '';
      out.push({ type: 'span', className, children: convert(node.children ?? []) });
    }
  }
  return out;
}

/** Highlight `code` as `language`; undefined when the language is not known. */
export function highlight(code: string, language: string): HighlightNode[] | undefined {
  const name = language.toLowerCase();
  if (!ensureGrammar(name)) return undefined;
  return convert(lowlight.highlight(name, code).children as HastLike[]);
}
