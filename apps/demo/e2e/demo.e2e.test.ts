import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentText,
  ask,
  bubblesFor,
  type DemoStack,
  newConversation,
  openChat,
  pageErrors,
  release,
  startDemoStack,
  waitUntilHeld,
  waitUntilLive,
} from './demo-stack.js';

// The whole demo in a real browser: emulator, agent server, built app, Debian's Chromium. Each
// disruption happens while the model is held mid-answer, and most of the answer streams after it.
let stack: DemoStack;
beforeAll(async () => {
  stack = await startDemoStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Fast answers, shown as the exact text received, published with Ably's default 40 ms append rollup. */
const fast = { tokensPerSecond: 200, jitter: 0.3, view: 'source' as const, disconnectSeconds: 2, rollupWindowMs: 40 };

describe('demo end to end', () => {
  it('a reload mid-stream ends with exactly one bubble holding the exact text, after the seeded history', async () => {
    const id = newConversation('reload');
    const page = await openChat(stack, id, { ...fast, strategy: 'rewind' });
    const first = await ask(page, 'compare websockets and sse', { stack, conversationId: id });
    const firstText = await agentText(stack, first);
    const second = await ask(page, 'write a debounce function', { stack, conversationId: id, holdAt: 60 });
    await waitUntilHeld(stack, second, 60);
    await page.reload();
    await waitUntilLive(page);
    await release(stack, id, second);
    const expected = await agentText(stack, second);

    expect(await bubblesFor(page, second)).toEqual({ count: 1, texts: [expected] });
    // The earlier answer comes from the agent server's store (the seed), not from the channel.
    expect(await bubblesFor(page, first)).toEqual({ count: 1, texts: [firstText] });
    expect(await page.locator(`[data-response-id="${first}"]`).getAttribute('data-seeded')).toBe('true');
    expect(await page.getByTestId('assistant-bubble').count()).toBe(2);
    expect(pageErrors()).toEqual([]);
  });

  it('a transient disconnect mid-stream resumes to the exact text', async () => {
    const id = newConversation('disconnect');
    const page = await openChat(stack, id, { ...fast, strategy: 'rewind' });
    const responseId = await ask(page, 'how do I deploy to production', { stack, conversationId: id, holdAt: 40 });
    await waitUntilHeld(stack, responseId, 40);
    await page.getByRole('button', { name: /^Disconnect/ }).click();
    await page.getByTestId('notice').filter({ hasText: 'cut off' }).waitFor();
    // The rest of the answer is published while this client is cut off.
    await release(stack, id, responseId);
    const expected = await agentText(stack, responseId);

    expect(await bubblesFor(page, responseId)).toEqual({ count: 1, texts: [expected] });
    await page
      .getByTestId('connection-state')
      .filter({ hasText: /^connected$/ })
      .waitFor();
    // The inspector saw the drop and the resume; continuity was kept, so no resync.
    expect(await page.getByTestId('connection-trail').textContent()).toContain('connected → disconnected');
    expect(await page.getByTestId('resync-badge').count()).toBe(0);
    expect(pageErrors()).toEqual([]);
  });

  it('on a slow network (every delivery late) the answer still ends with the exact text', async () => {
    const id = newConversation('slow');
    const page = await openChat(stack, id, { ...fast, strategy: 'rewind', slowNetworkMs: 300 });
    const responseId = await ask(page, 'compare websockets and sse', { stack, conversationId: id, holdAt: 20 });
    await waitUntilHeld(stack, responseId, 20);
    await page.getByRole('button', { name: 'Slow network' }).click();
    await page.getByTestId('notice').filter({ hasText: 'waits 300 ms' }).waitFor();
    await release(stack, id, responseId);
    const expected = await agentText(stack, responseId);
    expect(await bubblesFor(page, responseId)).toEqual({ count: 1, texts: [expected] });
    await page.getByRole('button', { name: 'Fast network' }).click();
    await page.getByTestId('notice').filter({ hasText: 'back to normal' }).waitFor();
    expect(pageErrors()).toEqual([]);
  });

  it('a long outage mid-stream re-hydrates to the exact text and shows the resync badge', async () => {
    const id = newConversation('outage');
    const page = await openChat(stack, id, { ...fast, strategy: 'history' });
    const responseId = await ask(page, 'write a sql query for top customers', {
      stack,
      conversationId: id,
      holdAt: 40,
    });
    await waitUntilHeld(stack, responseId, 40);
    await page.getByRole('button', { name: 'Long outage' }).click();
    await page.getByTestId('notice').filter({ hasText: 'state discarded' }).waitFor();
    await release(stack, id, responseId);
    const expected = await agentText(stack, responseId);

    expect(await bubblesFor(page, responseId)).toEqual({ count: 1, texts: [expected] });
    await page.getByTestId('resync-badge').waitFor({ timeout: 10_000 });
    expect(pageErrors()).toEqual([]);
  });

  it('a late joiner that arrives mid-stream, and a soft remount, show the same text as the first client', async () => {
    const id = newConversation('late');
    const page = await openChat(stack, id, { ...fast, strategy: 'rewind' });
    const responseId = await ask(page, 'explain how resume works after a disconnect', {
      stack,
      conversationId: id,
      holdAt: 40,
    });
    await waitUntilHeld(stack, responseId, 40);
    await page.getByRole('button', { name: 'Add late joiner' }).click();
    await waitUntilLive(page, 'late-joiner');
    await release(stack, id, responseId, 150);
    await page.getByRole('button', { name: 'Soft remount' }).click();
    await waitUntilLive(page);
    await release(stack, id, responseId);
    const expected = await agentText(stack, responseId);

    expect(await bubblesFor(page, responseId, 'late-joiner')).toEqual({ count: 1, texts: [expected] });
    expect(await bubblesFor(page, responseId, 'main')).toEqual({ count: 1, texts: [expected] });
    expect(pageErrors()).toEqual([]);
  });

  it('message-per-token: reload, disconnect and a late joiner all end with the exact text', async () => {
    const id = newConversation('per-token');
    const page = await openChat(stack, id, {
      ...fast,
      pattern: 'message-per-token',
      strategy: 'history',
    });
    const responseId = await ask(page, 'token bucket rate limiting in python', {
      stack,
      conversationId: id,
      holdAt: 30,
    });
    await waitUntilHeld(stack, responseId, 30);
    await page.reload();
    await waitUntilLive(page);
    await release(stack, id, responseId, 100);
    await page.getByRole('button', { name: /^Disconnect/ }).click();
    await page.getByRole('button', { name: 'Add late joiner' }).click();
    await release(stack, id, responseId);
    const expected = await agentText(stack, responseId);

    expect(await bubblesFor(page, responseId)).toEqual({ count: 1, texts: [expected] });
    expect(await bubblesFor(page, responseId, 'late-joiner')).toEqual({ count: 1, texts: [expected] });
    expect(pageErrors()).toEqual([]);
  });
});
