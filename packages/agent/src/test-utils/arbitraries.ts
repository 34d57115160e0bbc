import fc from 'fast-check';

/**
 * Text made of every UTF-8 width: ASCII, 2- and 3-byte characters, astral characters (surrogate pairs) and
 * lone surrogates. Built from code points because fast-check's `binary` unit spends seconds on first use.
 */
export function anyText(maxLength: number): fc.Arbitrary<string> {
  const piece = fc.oneof(
    fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x80, max: 0x7ff }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x800, max: 0xffff }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  );
  return fc.array(piece, { maxLength }).map((pieces) => pieces.join(''));
}

/** Text cut into chunks anywhere, including inside surrogate pairs, with empty chunks now and then. */
export function chunkedText(maxLength: number): fc.Arbitrary<string[]> {
  return fc.tuple(anyText(maxLength), fc.array(fc.nat(), { maxLength: 40 })).map(([text, cuts]) => {
    const positions = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
    const chunks: string[] = [];
    let from = 0;
    for (const position of [...positions, text.length]) {
      chunks.push(text.slice(from, position));
      from = position;
    }
    return chunks;
  });
}
