export { collectFootnotes, type FootnoteList } from './footnotes.js';
export { repairMarkdown } from './repair.js';
export {
  createStreamingMarkdown,
  type MarkdownBlock,
  type MarkdownOptions,
  type MarkdownSnapshot,
  parseMarkdown,
  type StreamingCounters,
  type StreamingMarkdown,
} from './streaming-markdown.js';
export type { MarkdownElement, MarkdownNode, MarkdownProperties, MarkdownTagName, MarkdownText } from './tree.js';
export {
  DEFAULT_LINK_PROTOCOLS,
  isAllowedImage,
  isAllowedLink,
  LINK_REL,
  resolvedOrigin,
  resolveImage,
  resolveLink,
  type UrlPolicy,
} from './url-policy.js';
