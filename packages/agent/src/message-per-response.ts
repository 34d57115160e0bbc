import { ERROR_KEY, RESPONSE_MESSAGE_NAME, ResumableError, STATUS_KEY, type TerminalStatus } from '@resumable/core';
import type * as Ably from 'ably';
import type { PublishTracker } from './publish-tracker.js';
import { envelopeBytes, oversizeError } from './size.js';
import { utf8ByteLength } from './utf8.js';
import type { ResponseWriter } from './writer.js';

/**
 * Message-per-response: one `response` message created empty, then one un-awaited append per piece of text,
 * each resending the full header set (an append's `extras` replaces the previous ones). The end is the
 * operation metadata `{ status, error? }` of a last, empty append.
 */
export class MessagePerResponseWriter implements ResponseWriter {
  private serial = '';
  private readonly extras: { headers: Record<string, string> };
  /** Bytes of everything but the data: name, clientId and extras, as the size limit counts them. */
  private envelopeBytes: number;
  private dataBytes = 0;
  /** The first append is a probe: see write(). */
  private probe: 'not-sent' | 'pending' | 'done' = 'not-sent';
  private heldWhileProbing = '';

  constructor(
    private readonly channel: Ably.RealtimeChannel,
    headers: Record<string, string>,
    private readonly tracker: PublishTracker,
    private readonly maxMessageSize: () => number,
  ) {
    this.extras = { headers };
    this.envelopeBytes = this.measureEnvelope();
  }

  /** Bytes of everything but the data (name, clientId, extras), as the size limit counts them. */
  private measureEnvelope(): number {
    return envelopeBytes(this.channel, RESPONSE_MESSAGE_NAME, this.extras);
  }

  async begin(): Promise<string> {
    const limit = this.maxMessageSize();
    if (this.envelopeBytes > limit) throw oversizeError(this.channel.name, this.envelopeBytes, limit, 'headers');
    const result = await this.tracker.run(() =>
      this.channel.publish({ name: RESPONSE_MESSAGE_NAME, data: '', extras: this.extras }),
    );
    // The clientId may only be known once connected (from a token), so the envelope is measured again.
    this.envelopeBytes = this.measureEnvelope();
    const serial = result.serials[0];
    if (!serial) {
      throw new ResumableError(
        50000,
        `Ably acknowledged the response message on "${this.channel.name}" without a serial.`,
        'Serials are needed to append; check that the channel is not configured with a conflation rule.',
      );
    }
    this.serial = serial;
    return serial;
  }

  write(chunk: string): ResumableError | undefined {
    const dataBytes = this.dataBytes + utf8ByteLength(chunk);
    const limit = this.maxMessageSize();
    if (this.envelopeBytes + dataBytes > limit) {
      return oversizeError(this.channel.name, this.envelopeBytes + dataBytes, limit, 'response');
    }
    this.dataBytes = dataBytes;
    if (this.probe === 'pending') {
      this.heldWhileProbing += chunk;
      return undefined;
    }
    const append = this.append(chunk);
    if (this.probe === 'not-sent') {
      // The first append shows whether appends are allowed at all (rule 93002, capability 40160). Until it is
      // acknowledged, text is held and then sent as one append, so a missing rule fails one append, not many.
      this.probe = 'pending';
      append.then(
        () => this.endProbe(),
        () => this.endProbe(),
      );
    }
    return undefined;
  }

  private endProbe(): void {
    this.probe = 'done';
    const held = this.heldWhileProbing;
    this.heldWhileProbing = '';
    if (held !== '' && !this.tracker.fatal) this.append(held);
  }

  private append(data: string): Promise<unknown> {
    const append = this.channel.appendMessage({ serial: this.serial, data, extras: this.extras });
    this.tracker.track(append);
    return append;
  }

  settle(): Promise<void> {
    return this.tracker.settle();
  }

  async repair(text: string, _status: TerminalStatus): Promise<void> {
    // The status follows in the end marker's metadata; an update's own metadata would be overwritten by it.
    await this.tracker.run(() => this.channel.updateMessage({ serial: this.serial, data: text, extras: this.extras }));
  }

  async end(status: TerminalStatus, reason?: string, extra?: Record<string, string>): Promise<void> {
    const metadata: Record<string, string> = { ...extra, [STATUS_KEY]: status };
    if (reason !== undefined) metadata[ERROR_KEY] = reason;
    await this.tracker.run(() =>
      this.channel.appendMessage({ serial: this.serial, data: '', extras: this.extras }, { metadata }),
    );
  }
}
