/**
 * A growable string with constant amortised append cost and a read that joins lazily.
 *
 * Appending one token to a JavaScript string with `+=` builds a rope of small cons strings that
 * costs tens of bytes per token; a plain array of tokens costs even more. This buffer keeps small
 * fragments in a short tail and folds the tail into one flat block every {@link TAIL_LIMIT}
 * fragments, and folds blocks together as they accumulate, so memory stays close to the text
 * size and each append is O(1) amortised. Reading chains the blocks and caches the result until
 * the next append.
 */
const TAIL_LIMIT = 512;

export class TextBuffer {
  /** Flat blocks, oldest first. */
  private blocks: string[] = [];
  /** Recent fragments not yet folded into a block. */
  private tail: string[] = [];
  private cached: string | undefined = '';
  private size = 0;

  constructor(initial = '') {
    if (initial.length > 0) this.reset(initial);
  }

  /** Length in UTF-16 code units. */
  get length(): number {
    return this.size;
  }

  append(fragment: string): void {
    if (fragment.length === 0) return;
    this.size += fragment.length;
    this.tail.push(fragment);
    this.cached = undefined;
    if (this.tail.length >= TAIL_LIMIT) this.foldTail();
  }

  /** Replace the whole text. */
  reset(text: string): void {
    this.blocks = text.length > 0 ? [text] : [];
    this.tail = [];
    this.size = text.length;
    this.cached = text;
  }

  toString(): string {
    if (this.cached !== undefined) return this.cached;
    this.foldTail();
    // `+` on long strings makes a rope node in O(1); the few blocks (O(log n)) are chained rather than
    // copied, so reading after every few tokens costs the new text, not the whole text.
    let joined = this.blocks[0] ?? '';
    for (let index = 1; index < this.blocks.length; index++) joined += this.blocks[index]!;
    this.blocks = joined.length > 0 ? [joined] : [];
    this.cached = joined;
    return joined;
  }

  private foldTail(): void {
    if (this.tail.length === 0) return;
    this.blocks.push(this.tail.join(''));
    this.tail = [];
    // Merge neighbours while the older block is not at least twice the newer one: block sizes then
    // shrink geometrically, so there are O(log n) blocks and each character is copied O(log n) times.
    let count = this.blocks.length;
    while (count >= 2 && this.blocks[count - 2]!.length <= 2 * this.blocks[count - 1]!.length) {
      const newer = this.blocks.pop()!;
      this.blocks[count - 2] = [this.blocks[count - 2], newer].join('');
      count--;
    }
  }
}
