import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planAnswer } from '../server/simulated-answer.js';
import { tokenize } from '../server/simulated-model.js';
import {
  agentRecord,
  ask,
  bubblesFor,
  type DemoStack,
  newConversation,
  partsShown,
  partsStored,
  release,
  setModel,
  startDemoStack,
  waitUntilHeld,
  waitUntilLive,
} from './demo-stack.js';

// One conversation on several devices: two browser contexts (two people, or a laptop and a phone), each with
// its own storage, clientId and Ably connection. Prompts, Stop and Regenerate travel over the channel.
let stack: DemoStack;
const contexts: BrowserContext[] = [];
const errors = new Map<Page, string[]>();

beforeAll(async () => {
  stack = await startDemoStack();
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await stack?.close();
});

const fast = { tokensPerSecond: 200, jitter: 0.3, rollupWindowMs: 40, toolDelayMs: 200 };

/** A new device on the conversation: a fresh browser context, showing answers as exact text. */
async function device(
  conversationId: string,
  viewport = { width: 1280, height: 800 },
  sendVia: 'channel' | 'server' = 'channel',
  strategy: 'history' | 'rewind' = 'history',
): Promise<Page> {
  const context = await stack.browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  const seen: string[] = [];
  errors.set(page, seen);
  page.on('pageerror', (error) => seen.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.push(`console: ${message.text()} (${message.location().url})`);
  });
  await page.goto(`${stack.url}/api/config`);
  await page.evaluate(
    (saved) => localStorage.setItem('resumable-demo:settings', saved),
    JSON.stringify({ strategy, view: 'source', sendVia }),
  );
  await page.goto(`${stack.url}/?c=${conversationId}`);
  await waitUntilLive(page);
  return page;
}

const bubble = (page: Page, responseId: string) =>
  page.locator(`[data-kind="main"] [data-testid="assistant-bubble"][data-response-id="${responseId}"]`);

const userBubbles = (page: Page) =>
  page.locator('[data-kind="main"] [data-testid="user-bubble"] [data-testid="user-text"]');

/** Wait until the agent has sent the whole tool input and waits for the tool's result. */
async function waitUntilCallingTool(responseId: string, input: string) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${stack.url}/api/responses/${responseId}`);
    const report = (await res.json()) as { status: string; parts?: { kind: string; text: string }[] };
    const kinds = report.parts?.map((part) => part.kind);
    if (report.status === 'streaming' && kinds?.at(-1) === 'tool-call' && report.parts?.at(-1)?.text === input) return;
    if (report.status !== 'streaming') throw new Error(`the answer ended (${report.status}) before its tool call`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the agent did not call the tool within 20 s');
}

/** Wait until a page shows `count` elements for `selector`. */
async function waitForCount(page: Page, selector: string, count: number) {
  await page.waitForFunction(
    ({ selector, count }) => document.querySelectorAll(selector).length === count,
    { selector, count },
    { timeout: 20_000 },
  );
}

async function reload(page: Page) {
  await page.reload();
  await waitUntilLive(page);
}

describe('one conversation on two devices', () => {
  for (const pattern of ['message-per-response', 'message-per-token'] as const) {
    it(`a prompt shows once on both; Stop on the other cancels it on both, also after a reload (${pattern})`, async () => {
      const id = newConversation(`stop-${pattern}`);
      await setModel(stack, id, { ...fast, pattern });
      // The laptop hydrates from history, the phone by rewind: the status holds on both paths, and the seed's.
      const laptop = await device(id);
      const phone = await device(id, { width: 390, height: 844 }, 'channel', 'rewind');
      const prompt = 'write a debounce function';
      const responseId = await ask(laptop, prompt, { stack, conversationId: id, holdAt: 20 });
      await waitUntilHeld(stack, responseId, 20);
      for (const page of [laptop, phone]) {
        await bubble(page, responseId).waitFor();
        expect(await userBubbles(page).allTextContents()).toEqual([prompt]);
      }

      // The page's own clock at the click (same machine as the server's).
      await phone.evaluate(() =>
        document.addEventListener('click', () => sessionStorage.setItem('stop-at', String(Date.now())), {
          capture: true,
          once: true,
        }),
      );
      const clickedAt = Date.now();
      await phone.locator('form.composer').getByRole('button', { name: 'Stop' }).click();
      await Promise.all(
        [laptop, phone].map((page) =>
          page.waitForSelector(`[data-response-id="${responseId}"][data-status="cancelled"]`, { timeout: 10_000 }),
        ),
      );
      console.log(`[measure] ${pattern}: Stop clicked → cancelled on both devices in ${Date.now() - clickedAt} ms`);
      const stored = await agentRecord(stack, responseId, 'cancelled');
      const stopAt = Number(await phone.evaluate(() => sessionStorage.getItem('stop-at')));
      console.log(
        `[measure] ${pattern}: click → cancel received by the agent ${stored.cancelReceivedAt! - stopAt} ms, → answer ended ${stored.endedAt - stopAt} ms`,
      );
      const phoneClient = await phone.evaluate(() => sessionStorage.getItem('resumable-demo:client-id'));
      expect(stored.cancelledBy).toBe(phoneClient);
      await setModel(stack, id, { paused: false });

      for (const page of [laptop, phone]) {
        await reload(page);
        expect(await bubble(page, responseId).getAttribute('data-status')).toBe('cancelled');
        expect(await bubble(page, responseId).getAttribute('data-seeded')).toBe('true');
        expect(await bubble(page, responseId).getAttribute('data-cancelled-by')).toBe(phoneClient);
        expect(await partsShown(page, responseId)).toEqual(partsStored(stored));
        expect(await userBubbles(page).allTextContents()).toEqual([prompt]);
        expect(errors.get(page)).toEqual([]);
      }
    });
  }

  it('a reload during reasoning, during the streamed tool input and during the tool call ends with every part exact', async () => {
    const id = newConversation('parts');
    const prompt = 'what is the weather in Lisbon';
    const plan = planAnswer(prompt);
    const reasoningTokens = tokenize(plan.reasoning).length;
    const inputTokens = tokenize(JSON.stringify(plan.tool.input)).length;
    await setModel(stack, id, { ...fast, toolDelayMs: 3000 });
    const laptop = await device(id);
    const phone = await device(id, { width: 390, height: 844 });

    const responseId = await ask(laptop, prompt, { stack, conversationId: id, holdAt: 5 });
    await waitUntilHeld(stack, responseId, 5);
    await reload(laptop);
    expect(await partsShown(laptop, responseId)).toEqual([{ kind: 'reasoning', text: expect.any(String) }]);
    // Held again in the middle of the tool's JSON input.
    await release(stack, id, responseId, reasoningTokens + Math.ceil(inputTokens / 2));
    await reload(laptop);
    await reload(phone);
    expect((await partsShown(phone, responseId)).map((part) => part.kind)).toEqual(['reasoning', 'tool-call']);
    // Released into the tool call: its input is complete, its result takes 3 s.
    await release(stack, id, responseId);
    await waitUntilCallingTool(responseId, JSON.stringify(plan.tool.input));
    await reload(laptop);
    expect(await partsShown(laptop, responseId)).toEqual([
      { kind: 'reasoning', text: plan.reasoning },
      { kind: 'tool-call', text: JSON.stringify(plan.tool.input) },
    ]);
    expect(await laptop.locator('[data-tool-state="running"]').count()).toBe(1);
    const stored = await agentRecord(stack, responseId);
    expect(partsStored(stored).map((part) => part.kind)).toEqual(['reasoning', 'tool-call', 'tool-result', 'text']);
    for (const page of [laptop, phone]) {
      expect(await bubblesFor(page, responseId)).toEqual({ count: 1, texts: [plan.text] });
      expect(await partsShown(page, responseId)).toEqual(partsStored(stored));
      expect(errors.get(page)).toEqual([]);
    }
  });

  it('a prompt posted through the server shows once; Regenerate adds a second answer on both devices', async () => {
    const id = newConversation('regenerate');
    await setModel(stack, id, { ...fast, tokensPerSecond: 1000, toolDelayMs: 0 });
    const laptop = await device(id, undefined, 'server');
    const phone = await device(id);
    const first = await ask(laptop, 'what is 6 * 7', { stack, conversationId: id });
    await agentRecord(stack, first);
    await bubble(phone, first).and(phone.locator('[data-status="complete"]')).waitFor();
    await phone.getByRole('button', { name: 'Regenerate' }).click();
    for (const page of [laptop, phone]) {
      await waitForCount(page, '[data-kind="main"] [data-testid="assistant-bubble"][data-status="complete"]', 2);
      await page.getByText('answer 2 of 2').waitFor();
      expect(await userBubbles(page).allTextContents()).toEqual(['what is 6 * 7']);
    }
  });

  it('the Pause state shows the truth after a reload, on every device', async () => {
    const id = newConversation('pause');
    await setModel(stack, id, fast);
    const laptop = await device(id);
    const responseId = await ask(laptop, 'compare websockets and sse', { stack, conversationId: id, holdAt: 10 });
    await waitUntilHeld(stack, responseId, 10);
    const phone = await device(id);
    for (const page of [laptop, phone]) {
      await reload(page);
      await page.getByRole('button', { name: 'Resume model' }).waitFor();
    }
    await phone.getByRole('button', { name: 'Resume model' }).click();
    await agentRecord(stack, responseId);
    await reload(laptop);
    expect(await laptop.getByRole('button', { name: /model$/ }).count()).toBe(0);
  });

  it('the database keeps completed and stopped answers across a restart of the demo server', async () => {
    const id = newConversation('restart');
    await setModel(stack, id, { ...fast, tokensPerSecond: 1000, toolDelayMs: 0 });
    const laptop = await device(id);
    const done = await ask(laptop, 'show me a table of http status codes', { stack, conversationId: id });
    const complete = await agentRecord(stack, done);
    const stopped = await ask(laptop, 'write a debounce function', { stack, conversationId: id, holdAt: 15 });
    await waitUntilHeld(stack, stopped, 15);
    await laptop.locator('form.composer').getByRole('button', { name: 'Stop' }).click();
    const cancelled = await agentRecord(stack, stopped, 'cancelled');

    await stack.restartAgent();
    await reload(laptop);
    // While the server was down the page's polls failed; that is expected, not an error of the app.
    errors.get(laptop)!.length = 0;
    expect(await bubble(laptop, done).getAttribute('data-seeded')).toBe('true');
    expect(await partsShown(laptop, done)).toEqual(partsStored(complete));
    expect(await bubble(laptop, stopped).getAttribute('data-status')).toBe('cancelled');
    expect(await partsShown(laptop, stopped)).toEqual(partsStored(cancelled));
    // The restarted agent answers the conversation again.
    await setModel(stack, id, { paused: false });
    const after = await ask(laptop, 'what is 2 + 2', { stack, conversationId: id });
    expect((await agentRecord(stack, after)).text).toBe(planAnswer('what is 2 + 2').text);
    expect(await userBubbles(laptop).count()).toBe(3);
    expect(errors.get(laptop)).toEqual([]);
  });
});
