import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeFindings } from './axe.js';
import {
  ask,
  type DemoStack,
  newConversation,
  openChat,
  pageErrors,
  release,
  setModel,
  startDemoStack,
  waitUntilHeld,
} from './demo-stack.js';
import { awaitingNames, breakItControls, ui, variableParts } from './selectors.js';
import { matchScreenshot, SCREENSHOT_TOLERANCE } from './visual.js';

// The demo as a product: its layout on a phone and a desktop, what axe finds, and a keyboard-only
// walk. The app is the production build served by the agent server (see demo-stack.ts).
let stack: DemoStack;
beforeAll(async () => {
  stack = await startDemoStack();
});
afterAll(async () => {
  await stack?.close();
});

const sizes = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1400, height: 900 },
] as const;

/** Markdown answers (a table, code), fast enough for the test, with a fixed rate so runs look alike. */
const settings = { tokensPerSecond: 200, jitter: 0, view: 'markdown' as const, strategy: 'rewind' as const };

async function box(locator: ReturnType<typeof ui.send>) {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`${locator} is not visible`);
  return found;
}

const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe.each(sizes)('the demo at $width×$height ($name)', ({ name, width, height }) => {
  it('lays out without sideways overflow, and axe finds nothing serious mid-stream or complete', async () => {
    const conversationId = newConversation(`layout-${name}`);
    const page = await openChat(stack, conversationId, settings);
    await page.setViewportSize({ width, height });
    const responseId = await ask(page, 'compare websockets and sse', { holdAt: 60, stack, conversationId });
    await waitUntilHeld(stack, responseId, 60);
    await ui.message(page, responseId).locator('table, p').first().waitFor();

    const page_ = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      header: document.querySelector('header')!.getBoundingClientRect().height,
    }));
    expect(page_.scrollWidth).toBeLessThanOrEqual(width);
    const pane = await box(ui.chatPane(page));
    const composer = await box(ui.messageBox(page));
    const send = await box(ui.send(page));
    // The chat takes the screen's width on a phone, and most of it on a desktop.
    expect(pane.width).toBeGreaterThan(name === 'phone' ? width - 40 : width * 0.6);
    expect(composer.width).toBeGreaterThan(name === 'phone' ? width - 60 : 400);
    expect(send.x + send.width).toBeLessThanOrEqual(width);
    expect(overlaps(send, await box(ui.inspector(page)))).toBe(false);
    expect(overlaps(send, await box(ui.controls(page)))).toBe(false);
    expect(page_.header).toBeLessThan(name === 'phone' ? 110 : 70);

    expect(await seriousAxeFindings(page)).toEqual([]);

    await release(stack, conversationId, responseId);
    await ui.message(page, responseId).and(page.locator('[data-status="complete"]')).waitFor({ timeout: 30_000 });
    expect(await seriousAxeFindings(page)).toEqual([]);

    // The complete answer, scrolled to its end, against the checked-in baseline.
    await page.evaluate(() => document.fonts.ready);
    expect(await matchScreenshot(page, `demo-${name}`, variableParts(page))).toBeLessThanOrEqual(SCREENSHOT_TOLERANCE);
    expect(pageErrors()).toEqual([]);
  });
});

/** What has keyboard focus: its role and accessible name as the browser computes them, and whether a focus ring shows. */
async function focused(page: Page) {
  const element = page.locator(':focus');
  if ((await element.count()) === 0) return { role: '', name: '', snapshot: '', tag: 'BODY', ring: false, testId: '' };
  const [snapshot, style] = await Promise.all([
    element.ariaSnapshot(),
    element.evaluate((node: HTMLElement) => {
      const computed = getComputedStyle(node);
      return {
        tag: node.tagName,
        testId: node.dataset.testid ?? '',
        ring: computed.outlineStyle !== 'none' && Number.parseFloat(computed.outlineWidth) >= 1,
      };
    }),
  ]);
  // `- button "Send"`, `- textbox "Message"` (YAML-quoted when the name holds ": "); a nameless
  // control has no quoted name after its role.
  const [, role = '', name = ''] = /^- '?([\w-]+)(?: "((?:[^"\\]|\\.)*)")?/.exec(snapshot) ?? [];
  return { role, name, snapshot: snapshot.split('\n')[0] ?? '', ...style };
}

/** Press Tab until `wanted` has focus; every stop on the way must show focus and have a name. */
async function tabTo(page: Page, wanted: (stop: Awaited<ReturnType<typeof focused>>) => boolean, limit = 80) {
  const stops: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const stop = await focused(page);
    stops.push(`${stop.tag} ${stop.snapshot.slice(0, 60)}`);
    expect(stop.ring, `focus ring on ${stops.at(-1)}`).toBe(true);
    if (!awaitingNames.includes(stop.role)) expect(stop.name, `name of ${stops.at(-1)}`).not.toBe('');
    if (wanted(stop)) return stops;
  }
  throw new Error(`not reached with ${limit} presses of Tab; stops: ${stops.join(', ')}`);
}

describe('the demo with the keyboard only', () => {
  it('sends, stops, breaks the connection and reads the inspector, focus visible all the way', async () => {
    const conversationId = newConversation('keyboard');
    const page = await openChat(stack, conversationId, settings);
    await page.setViewportSize({ width: 1400, height: 900 });
    await tabTo(page, (stop) => stop.tag === 'TEXTAREA' && stop.name === 'Message');
    // The model holds after 30 tokens, so Stop is pressed mid-answer however slow the machine is.
    await setModel(stack, conversationId, { pauseAfterTokens: 30 });
    await page.keyboard.type('write a debounce function');
    await page.keyboard.press('Enter');
    const bubble = page.locator('[data-kind="main"] [data-testid="assistant-bubble"]').first();
    await bubble.waitFor({ timeout: 20_000 });
    const responseId = (await bubble.getAttribute('data-response-id'))!;
    await waitUntilHeld(stack, responseId, 30);

    await tabTo(page, (stop) => stop.tag === 'BUTTON' && stop.name === 'Stop');
    await page.keyboard.press('Enter');
    await ui.message(page, responseId).and(page.locator('[data-status="cancelled"]')).waitFor({ timeout: 20_000 });

    // Every break-it control is reachable in order; the disconnect is worked from the keyboard.
    for (const control of breakItControls) {
      await tabTo(page, (stop) => stop.role === 'button' && control.test(stop.name));
      if (!control.test('Disconnect 2 s')) continue;
      await page.keyboard.press('Enter');
      await page.getByTestId('notice').filter({ hasText: 'cut off' }).waitFor();
    }

    await tabTo(page, (stop) => stop.testId === 'protocol-events');
    const events = ui.inspectorEvents(page);
    const before = await events.evaluate((list) => list.scrollTop);
    const scrollable = await events.evaluate((list) => list.scrollHeight > list.clientHeight);
    await page.keyboard.press('PageUp');
    // The key scrolls smoothly: wait for the list to move rather than read it at once.
    if (scrollable) {
      await expect
        .poll(() => events.evaluate((list) => list.scrollTop), { timeout: 5_000, interval: 50 })
        .toBeLessThan(before);
    }
    await ui
      .connectionState(page)
      .filter({ hasText: /^connected$/ })
      .waitFor({ timeout: 20_000 });
    expect(pageErrors()).toEqual([]);
  });
});
