// Stands in for `linkify-it` in the bundled markdown-it (see build/markdown-it-dependencies.ts):
// markdown-it constructs one, but the rules that would use it are replaced by autolink-literals.ts.

/**
 * An empty linkify: nothing in this kit calls it.
 * @example
 * ```ts
 * new LinkifyIt(); // what markdown-it's constructor does with it
 * ```
 */
export class LinkifyIt {}
