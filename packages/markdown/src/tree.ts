import { fenceIsOpen, type Token, unescapeInfo } from './parser.js';
import { PENDING_HREF, PENDING_MARK } from './pending.js';
import {
  DEFAULT_LINK_PROTOCOLS,
  LINK_REL,
  resolvedOrigin,
  resolveImage,
  resolveLink,
  type UrlPolicy,
} from './url-policy.js';

/** Element names the tree may hold. Only the converter creates elements, never model output. */
export type MarkdownTagName =
  | 'p'
  | 'h1'
  | 'h2'
  | 'h3'
  | 'h4'
  | 'h5'
  | 'h6'
  | 'blockquote'
  | 'ul'
  | 'ol'
  | 'li'
  | 'hr'
  | 'pre'
  | 'table'
  | 'thead'
  | 'tbody'
  | 'tr'
  | 'th'
  | 'td'
  | 'em'
  | 'strong'
  | 'del'
  | 'code'
  | 'br'
  | 'a'
  | 'img'
  /**
   * A link whose target is still streaming (or whose reference definition may still change): its
   * text, inert. It becomes an `a` once the target is final, or text if it turns out not to be a link.
   */
  | 'pending-link'
  /** An image the URL policy did not allow: show a placeholder, load nothing. */
  | 'blocked-image'
  /** A use of a footnote; numbered by the renderer in order of first use. */
  | 'footnote-ref'
  /** A footnote's content; the renderer gathers these into a section at the end. */
  | 'footnote-def';

/** Properties an element may carry. Every URL in here has passed the URL policy. */
export interface MarkdownProperties {
  /** `a`: the allowed target. */
  readonly href?: string;
  /** `a`: always `noopener noreferrer nofollow`. */
  readonly rel?: string;
  /** `a`, `img`: title text. */
  readonly title?: string;
  /** `img`: an allowed source. */
  readonly src?: string;
  /** `img`, `blocked-image`: alternative text. */
  readonly alt?: string;
  /** `blocked-image`: the origin that was refused, for the placeholder text (`undefined` if not a URL). */
  readonly blockedOrigin?: string;
  /** `ol`: first number. */
  readonly start?: number;
  /** `th`, `td`: column alignment. */
  readonly align?: 'left' | 'center' | 'right';
  /** `li`: a task list item, checked or not. */
  readonly checked?: boolean;
  /** `pre`: the language named on the fence. */
  readonly language?: string;
  /** `pre`: the fence has not been closed yet (still streaming). */
  readonly open?: boolean;
  /** `footnote-ref`, `footnote-def`: the footnote label. */
  readonly label?: string;
}

/** An element of the rendered tree. */
export interface MarkdownElement {
  readonly type: 'element';
  readonly tagName: MarkdownTagName;
  readonly properties: MarkdownProperties;
  readonly children: readonly MarkdownNode[];
}

/** Text, always rendered as text. */
export interface MarkdownText {
  readonly type: 'text';
  readonly value: string;
}

/** A node of the framework-free tree that renderers turn into elements. */
export type MarkdownNode = MarkdownElement | MarkdownText;

interface Frame {
  tagName: MarkdownTagName | undefined; // undefined: a link the policy refused; its children join the parent
  properties: Record<string, unknown>;
  children: MarkdownNode[];
}

function push(frames: Frame[], node: MarkdownNode): void {
  const top = frames[frames.length - 1]!;
  const last = top.children[top.children.length - 1];
  // Adjacent text becomes one node and empty text none: equal documents give equal trees.
  if (node.type === 'text' && node.value === '') return;
  if (node.type === 'text' && last?.type === 'text') {
    top.children[top.children.length - 1] = { type: 'text', value: last.value + node.value };
  } else {
    top.children.push(node);
  }
}

function open(frames: Frame[], tagName: MarkdownTagName | undefined, properties: Record<string, unknown> = {}): void {
  frames.push({ tagName, properties, children: [] });
}

function close(frames: Frame[]): void {
  const frame = frames.pop()!;
  if (frame.tagName === undefined) {
    for (const child of frame.children) push(frames, child);
    return;
  }
  push(frames, element(frame.tagName, frame.properties, frame.children));
}

function element(
  tagName: MarkdownTagName,
  properties: Record<string, unknown>,
  children: MarkdownNode[],
): MarkdownElement {
  return { type: 'element', tagName, properties: properties as MarkdownProperties, children };
}

function attr(token: Token, name: string): string | undefined {
  const value = token.attrGet(name);
  return value === null ? undefined : String(value);
}

function textOf(tokens: readonly Token[] | null): string {
  let out = '';
  for (const token of tokens ?? []) {
    if (token.children) out += textOf(token.children);
    else if (token.type === 'softbreak' || token.type === 'hardbreak') out += '\n';
    else out += token.content;
  }
  return out;
}

function alignOf(token: Token): 'left' | 'center' | 'right' | undefined {
  const style = attr(token, 'style');
  const match = style ? /text-align:(left|center|right)/.exec(style) : null;
  return (match?.[1] as 'left' | 'center' | 'right' | undefined) ?? undefined;
}

/** What inline conversion carries along: the policy and the growing link the mark stands for. */
interface InlineContext {
  readonly policy: ResolvedPolicy;
  readonly held: string | undefined;
  /** Links open around the current token (a link's text holds no other link). */
  linkDepth: number;
}

function pushText(frames: Frame[], value: string, ctx: InlineContext): void {
  const at = value.indexOf(PENDING_MARK);
  if (at < 0 || ctx.held === undefined) {
    push(frames, { type: 'text', value });
    return;
  }
  // An autolink's `<` is not shown once it links, so it is not shown while pending either.
  const held = ctx.held.startsWith('<') ? ctx.held.slice(1) : ctx.held;
  if (at > 0) push(frames, { type: 'text', value: value.slice(0, at) });
  if (ctx.linkDepth > 0) push(frames, { type: 'text', value: held });
  else push(frames, element('pending-link', {}, [{ type: 'text', value: held }]));
  if (at + 1 < value.length) push(frames, { type: 'text', value: value.slice(at + 1) });
}

function convertInline(tokens: readonly Token[], frames: Frame[], ctx: InlineContext): void {
  const { policy } = ctx;
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
      case 'text_special':
      case 'html_inline':
        pushText(frames, token.content, ctx);
        break;
      case 'softbreak':
        push(frames, { type: 'text', value: '\n' });
        break;
      case 'hardbreak':
        push(frames, element('br', {}, []));
        break;
      case 'code_inline':
        {
          const value = ctx.held === undefined ? token.content : token.content.replace(PENDING_MARK, ctx.held);
          push(frames, element('code', {}, [{ type: 'text', value }]));
        }
        break;
      case 'em_open':
        open(frames, 'em');
        break;
      case 'strong_open':
        open(frames, 'strong');
        break;
      case 's_open':
        open(frames, 'del');
        break;
      case 'link_open': {
        const raw = attr(token, 'href') ?? '';
        ctx.linkDepth++;
        if (raw === PENDING_HREF) {
          open(frames, 'pending-link');
          break;
        }
        const href = resolveLink(raw, policy);
        if (href !== undefined) {
          const title = attr(token, 'title');
          open(frames, 'a', title ? { href, rel: LINK_REL, title } : { href, rel: LINK_REL });
        } else {
          open(frames, undefined);
        }
        break;
      }
      case 'link_close':
        ctx.linkDepth--;
        close(frames);
        break;
      case 'em_close':
      case 'strong_close':
      case 's_close':
        close(frames);
        break;
      case 'image': {
        const raw = attr(token, 'src') ?? '';
        const src = resolveImage(raw, policy);
        const alt = textOf(token.children);
        const title = attr(token, 'title');
        if (src !== undefined) {
          push(frames, element('img', title ? { src, alt, title } : { src, alt }, []));
        } else {
          push(frames, element('blocked-image', { alt, blockedOrigin: resolvedOrigin(raw, policy.baseUrl) }, []));
        }
        break;
      }
      case 'footnote_ref':
        push(frames, element('footnote-ref', { label: (token.meta as { label: string }).label }, []));
        break;
      default:
        if (token.content) push(frames, { type: 'text', value: token.content });
    }
  }
}

const TASK_MARKER = /^\[([ xX])\][ \t]/;

function markTaskItem(item: Frame): void {
  // GFM: a list item whose first block is a paragraph starting with `[ ]` or `[x]` and a space.
  const first = item.children[0];
  const paragraphText =
    first?.type === 'element' && first.tagName === 'p' ? first.children[0] : first?.type === 'text' ? first : undefined;
  if (paragraphText?.type !== 'text') return;
  const match = TASK_MARKER.exec(paragraphText.value);
  if (!match) return;
  const rest: MarkdownText = { type: 'text', value: paragraphText.value.slice(match[0].length) };
  if (first?.type === 'element') {
    item.children[0] = element('p', {}, [rest, ...first.children.slice(1)]);
  } else {
    item.children[0] = rest;
  }
  item.properties.checked = match[1] !== ' ';
}

/** The URL policy with defaults filled in. */
export interface ResolvedPolicy {
  readonly linkProtocols: readonly string[];
  readonly imageOrigins: readonly string[];
  readonly baseUrl: string | undefined;
}

/** Fill in the defaults of a URL policy. */
export function resolvePolicy(policy: UrlPolicy = {}): ResolvedPolicy {
  return {
    linkProtocols: (policy.linkProtocols ?? DEFAULT_LINK_PROTOCOLS).map((p) => p.toLowerCase()),
    imageOrigins: policy.imageOrigins ?? [],
    baseUrl: policy.baseUrl,
  };
}

/**
 * Convert parsed tokens (block tokens whose inline contents are parsed) into tree nodes. `held` is
 * the growing link text that a pending mark in a repaired tail stands for.
 */
export function tokensToTree(tokens: readonly Token[], policy: ResolvedPolicy, held?: string): MarkdownNode[] {
  const ctx: InlineContext = { policy, held, linkDepth: 0 };
  const root: Frame = { tagName: undefined, properties: {}, children: [] };
  const frames: Frame[] = [root];
  // Paragraphs of tight lists are hidden: their contents sit directly in the list item.
  for (const token of tokens) {
    switch (token.type) {
      case 'inline':
        convertInline(token.children ?? [], frames, ctx);
        break;
      case 'paragraph_open':
        open(frames, token.hidden ? undefined : 'p');
        break;
      case 'heading_open':
        open(frames, token.tag as MarkdownTagName);
        break;
      case 'blockquote_open':
        open(frames, 'blockquote');
        break;
      case 'bullet_list_open':
        open(frames, 'ul');
        break;
      case 'ordered_list_open': {
        const start = Number(attr(token, 'start') ?? '1');
        open(frames, 'ol', start === 1 ? {} : { start });
        break;
      }
      case 'list_item_open':
        open(frames, 'li');
        break;
      case 'list_item_close':
        markTaskItem(frames[frames.length - 1]!);
        close(frames);
        break;
      case 'table_open':
        open(frames, 'table');
        break;
      case 'thead_open':
        open(frames, 'thead');
        break;
      case 'tbody_open':
        open(frames, 'tbody');
        break;
      case 'tr_open':
        open(frames, 'tr');
        break;
      case 'th_open':
      case 'td_open': {
        const align = alignOf(token);
        open(frames, token.type === 'th_open' ? 'th' : 'td', align ? { align } : {});
        break;
      }
      case 'footnote_reference_open':
        open(frames, 'footnote-def', { label: (token.meta as { label: string }).label });
        break;
      case 'paragraph_close':
      case 'heading_close':
      case 'blockquote_close':
      case 'bullet_list_close':
      case 'ordered_list_close':
      case 'table_close':
      case 'thead_close':
      case 'tbody_close':
      case 'tr_close':
      case 'th_close':
      case 'td_close':
      case 'footnote_reference_close':
        close(frames);
        break;
      case 'hr':
        push(frames, element('hr', {}, []));
        break;
      case 'fence': {
        const language = unescapeInfo(token.info).trim().split(/\s+/)[0] || undefined;
        const properties: Record<string, unknown> = {};
        if (language) properties.language = language;
        if (fenceIsOpen(token)) properties.open = true;
        push(frames, element('pre', properties, [{ type: 'text', value: token.content }]));
        break;
      }
      case 'code_block':
        push(frames, element('pre', {}, [{ type: 'text', value: token.content }]));
        break;
      case 'reference_definition':
        break;
      default:
        // Raw HTML is off in the parser, so this only catches token types added later: keep as text.
        if (token.content) push(frames, { type: 'text', value: token.content });
    }
  }
  return root.children;
}
