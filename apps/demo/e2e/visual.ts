import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import type { Locator, Page } from 'playwright-core';
import { PNG } from 'pngjs';

const baselines = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** Share of pixels allowed to differ from the baseline: font hinting and anti-aliasing move a few. */
const TOLERANCE = 0.015;

/**
 * Compare a viewport screenshot with the checked-in baseline `screenshots/<name>.png`. Parts that
 * change from run to run are masked; animations are stopped. With `UPDATE_SCREENSHOTS=1` the
 * baseline is (re)written instead. Returns the share of pixels that differ.
 */
export async function matchScreenshot(page: Page, name: string, mask: Locator[]): Promise<number> {
  const file = join(baselines, `${name}.png`);
  const actual = await page.screenshot({ animations: 'disabled', caret: 'hide', mask, maskColor: '#808080' });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, actual);
    return 0;
  }
  if (!existsSync(file)) throw new Error(`no baseline ${file}: run with UPDATE_SCREENSHOTS=1 to create it`);
  const expected = PNG.sync.read(await readFile(file));
  const got = PNG.sync.read(actual);
  if (got.width !== expected.width || got.height !== expected.height) {
    await writeFile(join(baselines, `${name}.actual.png`), actual);
    throw new Error(`${name}: ${got.width}×${got.height}, baseline ${expected.width}×${expected.height}`);
  }
  const diff = new PNG({ width: got.width, height: got.height });
  const changed = pixelmatch(expected.data, got.data, diff.data, got.width, got.height, { threshold: 0.1 });
  const share = changed / (got.width * got.height);
  if (share > TOLERANCE) {
    // Left next to the baseline (and ignored by git) to see what moved.
    await writeFile(join(baselines, `${name}.actual.png`), actual);
    await writeFile(join(baselines, `${name}.diff.png`), PNG.sync.write(diff));
  }
  return share;
}

export const SCREENSHOT_TOLERANCE = TOLERANCE;
