import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ResponsePattern } from '@resumable/core';

/** What the agent knows about a response after it finished streaming it. */
export interface StoredResponse {
  readonly responseId: string;
  readonly conversationId: string;
  readonly prompt: string;
  readonly text: string;
  readonly status: 'complete' | 'error' | 'cancelled';
  readonly pattern: ResponsePattern;
  readonly headers: Readonly<Record<string, string>>;
  readonly clientId: string;
  /** When streaming started (ms epoch). */
  readonly createdAt: number;
  /** Tokens the model produced and messages the agent published for them. */
  readonly tokens: number;
  readonly messagesPublished: number;
  readonly failuresRepaired: number;
  readonly durationMs: number;
}

/**
 * Completed responses, by conversation: the demo's "database". Kept in memory, and written to a
 * JSON file when one is given, so conversations outlive the channel's rewind window and restarts.
 *
 * @example
 * ```ts
 * const store = await ConversationStore.open('.data/conversations.json');
 * store.completed('c1'); // oldest first
 * ```
 */
export class ConversationStore {
  private readonly responses = new Map<string, StoredResponse>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string | undefined) {}

  /** Open a store, reading `file` when it exists; without a file nothing is persisted. */
  static async open(file?: string): Promise<ConversationStore> {
    const store = new ConversationStore(file);
    if (file) {
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text) {
        try {
          for (const response of JSON.parse(text) as StoredResponse[])
            store.responses.set(response.responseId, response);
        } catch {
          console.warn(`[demo] ignoring unreadable conversation file ${file}`);
        }
      }
    }
    return store;
  }

  /** Completed responses of one conversation, oldest first. */
  completed(conversationId: string): StoredResponse[] {
    return [...this.responses.values()]
      .filter((response) => response.conversationId === conversationId)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  get(responseId: string): StoredResponse | undefined {
    return this.responses.get(responseId);
  }

  /** Record a finished response; resolves once it is on disk (when there is a file). */
  add(response: StoredResponse): Promise<void> {
    this.responses.set(response.responseId, response);
    const file = this.file;
    if (!file) return Promise.resolve();
    const snapshot = JSON.stringify([...this.responses.values()], null, 1);
    // Writes are chained and atomic (temp file + rename) so a crash never leaves half a file.
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, snapshot);
      await rename(`${file}.tmp`, file);
    });
    return this.writing;
  }
}
