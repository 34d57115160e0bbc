import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { chromiumArgs, chromiumPath } from '../../../vitest.shared.js';
import { type AgentServer, startAgentServer } from '../server/agent-server.js';
import { type Backend, startBackend } from '../server/backend.js';
import { ConversationStore, type StoredResponse } from '../server/conversation-store.js';
import { serveStatic } from '../server/static-files.js';
import type { Settings } from '../src/settings.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The whole demo, as `pnpm dev` runs it but with the app built: emulator, agent server, browser. */
export interface DemoStack {
  readonly url: string;
  readonly backend: Backend;
  readonly agent: AgentServer;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Build the app with Vite's JS API into a temporary directory. */
async function buildApp(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'resumable-demo-'));
  // Vitest sets NODE_ENV=test, and Vite keeps an NODE_ENV it finds: the app would be built with
  // React's development bundle and JSX runtime. Build what `vite build` ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root,
      mode: 'production',
      configFile: join(root, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false, minify: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}

export async function startDemoStack(): Promise<DemoStack> {
  const [outDir, backend] = await Promise.all([buildApp(), startBackend({})]);
  const store = await ConversationStore.open();
  const agent = await startAgentServer({
    ...backend,
    backend: backend.kind,
    store,
    app: serveStatic(outDir),
  });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  return {
    url: agent.url,
    backend,
    agent,
    browser,
    async close() {
      await browser.close();
      await agent.close();
      await backend.stop();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

let conversations = 0;

/** A fresh conversation id per test, so tests never see each other's answers. */
export function newConversation(name: string): string {
  conversations += 1;
  return `e2e-${name}-${conversations}-${Date.now().toString(36)}`;
}

let errors: string[] = [];

/** Uncaught exceptions and console errors since the last {@link openChat} (React warnings, failed loads, ...). */
export function pageErrors(): string[] {
  return errors;
}

/**
 * Open the demo on a conversation with the given settings (stored the way the app stores them).
 * One page serves every test: a new renderer costs seconds on a loaded machine.
 */
export async function openChat(stack: DemoStack, conversationId: string, settings: Partial<Settings>): Promise<Page> {
  let page = pages.get(stack);
  if (!page) {
    const created = await stack.browser.newPage({ viewport: { width: 1280, height: 800 } });
    created.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    created.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    await created.goto(`${stack.url}/api/config`);
    pages.set(stack, created);
    page = created;
  }
  await page.evaluate((saved) => localStorage.setItem('resumable-demo:settings', saved), JSON.stringify(settings));
  errors = [];
  await page.goto(`${stack.url}/?c=${conversationId}`);
  await waitUntilLive(page);
  return page;
}

const pages = new WeakMap<DemoStack, Page>();

/** Wait until the main pane has hydrated and is live. */
export async function waitUntilLive(page: Page, kind: 'main' | 'late-joiner' = 'main'): Promise<void> {
  await page.waitForSelector(`[data-kind="${kind}"] [data-testid="messages"][data-caught-up="true"]`, {
    timeout: 20_000,
  });
}

/**
 * Type a prompt and send it; resolves with the id of the response the agent starts. With `holdAt`,
 * the request asks the agent to hold the model after that many tokens (see {@link waitUntilHeld}).
 */
export async function ask(page: Page, prompt: string, options: { holdAt?: number } = {}): Promise<string> {
  const messages = /\/api\/conversations\/[^/]+\/messages$/;
  if (options.holdAt !== undefined) {
    await page.route(messages, (route) => {
      const body = route.request().postDataJSON() as Record<string, unknown>;
      return route.continue({ postData: JSON.stringify({ ...body, pauseAfterTokens: options.holdAt }) });
    });
  }
  const started = page.waitForResponse((res) => messages.test(res.url()));
  await page.getByRole('textbox', { name: 'Message' }).fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  const { responseId } = (await (await started).json()) as { responseId: string };
  if (options.holdAt !== undefined) await page.unroute(messages);
  return responseId;
}

async function agentReport(stack: DemoStack, responseId: string) {
  const res = await fetch(`${stack.url}/api/responses/${responseId}`);
  return (await res.json()) as StoredResponse | { status: 'streaming'; tokens: number; text: string; paused: boolean };
}

/**
 * Wait until the model is held after at least `tokens` tokens: the answer is then mid-stream for as
 * long as the test needs, however slow the machine is.
 */
export async function waitUntilHeld(stack: DemoStack, responseId: string, tokens: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const report = await agentReport(stack, responseId);
    if (report.status !== 'streaming') throw new Error(`response ended (${report.status}) before ${tokens} tokens`);
    if (report.paused && report.tokens >= tokens) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the model was not held at ${tokens} tokens within 20 s`);
}

async function control(stack: DemoStack, responseId: string, action: 'pause' | 'resume', body: object) {
  const res = await fetch(`${stack.url}/api/responses/${responseId}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`could not ${action} the model: ${await res.text()}`);
}

/** Let a held model go on; with `holdAgainAt`, hold it again after that many tokens and wait for it. */
export async function release(stack: DemoStack, responseId: string, holdAgainAt?: number): Promise<void> {
  if (holdAgainAt !== undefined) await control(stack, responseId, 'pause', { afterTokens: holdAgainAt });
  await control(stack, responseId, 'resume', {});
  if (holdAgainAt !== undefined) await waitUntilHeld(stack, responseId, holdAgainAt);
}

/** Wait for the agent to finish a response; resolves with exactly the text the model produced. */
export async function agentText(stack: DemoStack, responseId: string): Promise<string> {
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const report = await agentReport(stack, responseId);
    if (report.status === 'complete') return report.text;
    if (report.status !== 'streaming') throw new Error(`response ended with status ${report.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the agent did not finish within 40 s');
}

/**
 * Wait until the pane shows the response as complete, then return what it shows: the number of
 * bubbles for that response and the exact text of each (the app's "exact text received" view).
 */
export async function bubblesFor(
  page: Page,
  responseId: string,
  kind: 'main' | 'late-joiner' = 'main',
): Promise<{ count: number; texts: string[] }> {
  const selector = `[data-kind="${kind}"] [data-testid="assistant-bubble"][data-response-id="${responseId}"]`;
  await page.waitForSelector(`${selector}[data-status="complete"]`, { timeout: 30_000 });
  const texts = await page.$$eval(`${selector} [data-testid="response-source"]`, (nodes) =>
    nodes.map((node) => node.textContent ?? ''),
  );
  const count = await page.locator(selector).count();
  return { count, texts };
}
