import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import { realModelFromEnv } from './real-model.js';

describe('backend and model selection', () => {
  it('uses Ably’s cloud when ABLY_API_KEY is set: only options change, and browsers get no key', async () => {
    const backend = await startBackend({ ABLY_API_KEY: 'app.key:secret' });
    expect(backend.kind).toBe('ably');
    expect(backend.agentAblyOptions).toEqual({ key: 'app.key:secret' });
    expect(backend.browserAblyOptions).toEqual({});
    expect(backend.emulatorUrl).toBeUndefined();
    await backend.stop();
  });

  it('starts the emulator otherwise, and keeps its key away from the browser options', async () => {
    const backend = await startBackend({});
    expect(backend.kind).toBe('emulator');
    expect(backend.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(backend.agentAblyOptions.key).toBeTruthy();
    expect(JSON.stringify(backend.browserAblyOptions)).not.toContain(backend.agentAblyOptions.key!);
    await backend.stop();
  });

  it('picks a real model only when a provider key is set', () => {
    expect(realModelFromEnv({})).toBeUndefined();
    expect(realModelFromEnv({ OPENAI_API_KEY: 'sk-test' })?.label).toBe('openai:gpt-4o-mini');
    expect(realModelFromEnv({ ANTHROPIC_API_KEY: 'x', DEMO_MODEL: 'claude-x' })?.label).toBe('anthropic:claude-x');
  });
});
