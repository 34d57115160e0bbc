import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { chromiumArgs, chromiumPath } from '../../../vitest.shared.js';
import { type AgentServer, startAgentServer } from '../server/agent-server.js';
import { type Backend, startBackend } from '../server/backend.js';
import { ConversationRecords, type ResponseRecord, type SeedPart } from '../server/conversation-records.js';
import { openDatabase, type SqlDatabase } from '../server/database.js';
import type { ModelControls } from '../server/model-controls.js';
import { serveStatic } from '../server/static-files.js';
import type { Settings } from '../src/settings.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The whole demo, as `pnpm dev` runs it but with the app built: emulator, agent server, browser. */
export interface DemoStack {
  readonly url: string;
  readonly backend: Backend;
  readonly agent: AgentServer;
  readonly browser: Browser;
  /** Stop the agent server and start a new one on the same database and port (what a restart does). */
  restartAgent(): Promise<void>;
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
  const dataDir = await mkdtemp(join(tmpdir(), 'resumable-demo-db-'));
  const [outDir, backend] = await Promise.all([buildApp(), startBackend({})]);
  let db: SqlDatabase = await openDatabase({ dataDir });
  const start = async (port?: number) =>
    startAgentServer({
      ...backend,
      backend: backend.kind,
      records: await ConversationRecords.open(db),
      app: serveStatic(outDir),
      ...(port ? { port } : {}),
    });
  let agent = await start();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  return {
    url: agent.url,
    backend,
    get agent() {
      return agent;
    },
    browser,
    async restartAgent() {
      const { port } = agent;
      await agent.close();
      await db.close();
      db = await openDatabase({ dataDir });
      agent = await start(port);
    },
    async close() {
      await browser.close();
      await agent.close();
      await backend.stop();
      await db.close();
      await rm(outDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
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

/** Set how the agent answers a conversation (what the Stream controls do). */
export async function setModel(stack: DemoStack, conversationId: string, change: Partial<ModelControls>) {
  const res = await fetch(`${stack.url}/api/conversations/${conversationId}/controls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(change),
  });
  if (!res.ok) throw new Error(`could not set the controls: ${await res.text()}`);
}

/** The page's own settings (localStorage) and the conversation's model controls (server). */
export type ChatSettings = Partial<Settings> & Partial<ModelControls>;

/**
 * Open the demo on a conversation with the given settings: the browser's stored the way the app
 * stores them, the model's on the server. One page serves every test: a new renderer costs seconds
 * on a loaded machine.
 */
export async function openChat(stack: DemoStack, conversationId: string, settings: ChatSettings): Promise<Page> {
  const { strategy, view, disconnectSeconds, slowNetworkMs, ...model } = settings;
  await setModel(stack, conversationId, model);
  let page = pages.get(stack);
  if (!page) {
    const created = await stack.browser.newPage({ viewport: { width: 1280, height: 800 } });
    created.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    created.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    await created.goto(`${stack.url}/api/config`);
    pages.set(stack, created);
    page = created;
  }
  await page.evaluate(
    (saved) => localStorage.setItem('resumable-demo:settings', saved),
    JSON.stringify({ strategy, view, disconnectSeconds, slowNetworkMs }),
  );
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

/** Ids of the answers streaming in a conversation, from the agent server. */
async function inProgress(stack: DemoStack, conversationId: string): Promise<string[]> {
  const res = await fetch(`${stack.url}/api/conversations/${conversationId}`);
  const body = (await res.json()) as { inProgress: { responseId: string }[] };
  return body.inProgress.map((answer) => answer.responseId);
}

/**
 * Type a prompt and send it (a turn published on the channel); resolves with the id of the response the
 * agent starts. With `holdAt`, the agent holds the model after that many tokens (see {@link waitUntilHeld}).
 */
export async function ask(
  page: Page,
  prompt: string,
  options: { holdAt?: number; stack: DemoStack; conversationId: string },
): Promise<string> {
  const { stack, conversationId } = options;
  if (options.holdAt !== undefined) await setModel(stack, conversationId, { pauseAfterTokens: options.holdAt });
  const before = new Set(
    await page.$$eval('[data-testid="assistant-bubble"]', (nodes) =>
      nodes.map((node) => node.getAttribute('data-response-id')),
    ),
  );
  await page.getByRole('textbox', { name: 'Message' }).fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const started = (await inProgress(stack, conversationId)).find((id) => !before.has(id));
    if (started) return started;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the agent did not start answering "${prompt}" within 20 s`);
}

type AgentReport = ResponseRecord | { status: 'streaming'; tokens: number; text: string; paused: boolean };

async function agentReport(stack: DemoStack, responseId: string): Promise<AgentReport> {
  const res = await fetch(`${stack.url}/api/responses/${responseId}`);
  return (await res.json()) as AgentReport;
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

/** Let a held model go on; with `holdAgainAt`, hold it again after that many tokens and wait for it. */
export async function release(
  stack: DemoStack,
  conversationId: string,
  responseId: string,
  holdAgainAt?: number,
): Promise<void> {
  await setModel(stack, conversationId, { paused: false, pauseAfterTokens: holdAgainAt ?? 0 });
  if (holdAgainAt !== undefined) await waitUntilHeld(stack, responseId, holdAgainAt);
}

/** Wait for the agent to finish a response; resolves with exactly the text the model produced. */
export async function agentText(stack: DemoStack, responseId: string): Promise<string> {
  return (await agentRecord(stack, responseId)).text;
}

/** Wait until the agent stored a response; resolves with what it stored (every part, how it ended). */
export async function agentRecord(
  stack: DemoStack,
  responseId: string,
  status: ResponseRecord['status'] = 'complete',
): Promise<ResponseRecord> {
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const report = await agentReport(stack, responseId);
    if (report.status === status) return report as ResponseRecord;
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
  status = 'complete',
): Promise<{ count: number; texts: string[] }> {
  const selector = `[data-kind="${kind}"] [data-testid="assistant-bubble"][data-response-id="${responseId}"]`;
  await page.waitForSelector(`${selector}[data-status="${status}"]`, { timeout: 30_000 });
  const texts = await page.$$eval(`${selector} [data-testid="response-source"]`, (nodes) =>
    nodes.map((node) => node.textContent ?? ''),
  );
  const count = await page.locator(selector).count();
  return { count, texts };
}

/** The parts a pane shows for a response, in order: kind and exact text (the page shows answers as exact text). */
export async function partsShown(page: Page, responseId: string, kind: 'main' | 'late-joiner' = 'main') {
  const selector = `[data-kind="${kind}"] [data-testid="assistant-bubble"][data-response-id="${responseId}"] [data-testid="part"]`;
  return page.$$eval(selector, (nodes) =>
    nodes.map((node) => {
      const kind = node.getAttribute('data-kind') ?? '';
      const text = node.querySelector('[data-testid="response-source"], [data-testid="part-text"]')?.textContent ?? '';
      return { kind, text };
    }),
  );
}

/** The parts the agent stored, as {@link partsShown} lists them. */
export function partsStored(record: { parts: readonly SeedPart[] }) {
  return record.parts.map((part) => ({ kind: part.kind, text: part.text }));
}
