/**
 * Issues message and version serials that sort lexicographically in issue order:
 * `<14-digit ms timestamp>-<9-digit sequence>@<instance>`.
 */
export class SerialClock {
  private sequence = 0;
  private lastTimestamp = 0;

  constructor(private readonly instance: string) {}

  /** A new serial and the (non-decreasing) timestamp it was issued at. */
  next(): { serial: string; timestamp: number } {
    const timestamp = Math.max(Date.now(), this.lastTimestamp);
    this.lastTimestamp = timestamp;
    this.sequence += 1;
    const serial = `${String(timestamp).padStart(14, '0')}-${String(this.sequence).padStart(9, '0')}@${this.instance}`;
    return { serial, timestamp };
  }
}
