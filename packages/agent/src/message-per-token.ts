import { ERROR_KEY, ResumableError, STATUS_KEY, type TerminalStatus, TOKEN_EVENT_NAMES } from '@resumable/core';
import type * as Ably from 'ably';
import type { PublishTracker } from './publish-tracker.js';
import { envelopeBytes, oversizeError } from './size.js';
import { utf8ByteLength } from './utf8.js';
import type { ResponseWriter } from './writer.js';

/**
 * Message-per-token: `start`, then one un-awaited `token` message per piece of text (or per batch of pieces
 * produced within `batchMs`), then `stop` with a `status` header. Every message carries the full header set.
 * A failed token is made good by a `response-complete` message holding the full text.
 */
export class MessagePerTokenWriter implements ResponseWriter {
  private extras: { headers: Record<string, string> };
  private partHeaders: Record<string, string> | undefined;
  private envelopeBytes: number;
  private buffer = '';
  private bufferBytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly channel: Ably.RealtimeChannel,
    private readonly headers: Record<string, string>,
    private readonly tracker: PublishTracker,
    private readonly maxMessageSize: () => number,
    private readonly batchMs: number,
  ) {
    this.extras = { headers };
    this.envelopeBytes = this.measureEnvelope();
  }

  /**
   * Bytes of everything but the data (name, clientId, extras), as the size limit counts them. The name counted
   * is 'response-complete', the longest this writer sends, to stay on the safe side for every message.
   */
  private measureEnvelope(): number {
    return envelopeBytes(this.channel, TOKEN_EVENT_NAMES.complete, this.extras);
  }

  async begin(): Promise<string> {
    const limit = this.maxMessageSize();
    if (this.envelopeBytes > limit) throw oversizeError(this.channel.name, this.envelopeBytes, limit, 'headers');
    const result = await this.tracker.run(() =>
      this.channel.publish({ name: TOKEN_EVENT_NAMES.start, data: '', extras: this.extras }),
    );
    // The clientId may only be known once connected (from a token), so the envelope is measured again.
    this.envelopeBytes = this.measureEnvelope();
    const serial = result.serials[0];
    if (!serial) {
      throw new ResumableError(
        50000,
        `Ably acknowledged the start message on "${this.channel.name}" without a serial.`,
        'Check that the channel is not configured with a conflation rule, which drops messages.',
      );
    }
    return serial;
  }

  write(chunk: string): ResumableError | undefined {
    const bytes = utf8ByteLength(chunk);
    const limit = this.maxMessageSize();
    if (this.envelopeBytes + bytes > limit) {
      return oversizeError(this.channel.name, this.envelopeBytes + bytes, limit, 'token');
    }
    if (this.batchMs <= 0) {
      this.send(chunk);
      return undefined;
    }
    if (this.envelopeBytes + this.bufferBytes + bytes > limit) this.flush();
    this.buffer += chunk;
    this.bufferBytes += bytes;
    this.timer ??= setTimeout(() => this.flush(), this.batchMs);
    return undefined;
  }

  async settle(): Promise<void> {
    this.flush();
    await this.tracker.settle();
  }

  /**
   * Conversations: the tokens sent from now on belong to the part these headers name (`part`, `partKind`, ...);
   * what is buffered goes out first with the previous part's headers. A repair then repairs this part only.
   */
  usePart(partHeaders: Record<string, string>): void {
    this.flush();
    this.partHeaders = { ...this.headers, ...partHeaders };
    this.extras = { headers: this.partHeaders };
    this.envelopeBytes = this.measureEnvelope();
  }

  async repair(text: string, status: TerminalStatus): Promise<void> {
    // Readers take the status of a response-complete as the end state until the stop arrives.
    const extras = { headers: { ...(this.partHeaders ?? this.headers), [STATUS_KEY]: status } };
    const bytes = envelopeBytes(this.channel, TOKEN_EVENT_NAMES.complete, extras) + utf8ByteLength(text);
    const limit = this.maxMessageSize();
    if (bytes > limit) throw oversizeError(this.channel.name, bytes, limit, 'repair');
    await this.tracker.run(() => this.channel.publish({ name: TOKEN_EVENT_NAMES.complete, data: text, extras }));
  }

  async end(status: TerminalStatus, reason?: string, extra?: Record<string, string>): Promise<void> {
    const headers: Record<string, string> = { ...this.headers, ...extra, [STATUS_KEY]: status };
    if (reason !== undefined) headers[ERROR_KEY] = reason;
    // The reason is a courtesy; under a tiny size limit the status alone still ends the response.
    const bytes = utf8ByteLength(TOKEN_EVENT_NAMES.stop) + utf8ByteLength(JSON.stringify({ headers }));
    if (reason !== undefined && bytes > this.maxMessageSize()) delete headers[ERROR_KEY];
    await this.tracker.run(() => this.channel.publish({ name: TOKEN_EVENT_NAMES.stop, data: '', extras: { headers } }));
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer === '') return;
    const data = this.buffer;
    this.buffer = '';
    this.bufferBytes = 0;
    this.send(data);
  }

  private send(data: string): void {
    this.tracker.track(this.channel.publish({ name: TOKEN_EVENT_NAMES.token, data, extras: this.extras }));
  }
}
