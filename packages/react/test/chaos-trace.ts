// What one chaos viewer saw, and what the emulator sent, for a failing schedule: the connection and
// channel states, every message the store was given (live or from history) and what the store kept
// out, next to the channel's event log. Written next to the failure so a loss can be explained.
import type { ResponseStore } from '@resumable/core';
import type * as Ably from 'ably';

interface WireLike {
  action?: unknown;
  serial?: unknown;
  data?: unknown;
  version?: { serial?: unknown; metadata?: unknown };
}

function describeMessage(message: unknown): string {
  const m = (message ?? {}) as WireLike;
  const data = typeof m.data === 'string' ? `${m.data.length}:${JSON.stringify(m.data.slice(-24))}` : String(m.data);
  const status = (m.version?.metadata as Record<string, string> | undefined)?.status;
  return `${String(m.action)} ${String(m.serial)} v=${String(m.version?.serial)} data=${data}${status ? ` end=${status}` : ''}`;
}

/** The trace of one viewer (one page load). */
export class ViewerTrace {
  readonly lines: string[] = [];
  private readonly started = Date.now();
  private readonly patched = new WeakSet<ResponseStore>();

  constructor(readonly label: string) {}

  log(line: string): void {
    this.lines.push(`${String(Date.now() - this.started).padStart(6)} ${line}`);
  }

  /** Record the connection's and the channel's state changes. */
  watch(client: Ably.Realtime, channelName: string): void {
    client.connection.on((change) => {
      this.log(`connection ${change.previous} -> ${change.current}${change.reason ? ` (${change.reason.code})` : ''}`);
    });
    client.channels.get(channelName).on((change) => {
      this.log(
        `channel ${change.previous} -> ${change.current} resumed=${change.resumed} backlog=${String(change.hasBacklog)}${change.reason ? ` (${change.reason.code})` : ''}`,
      );
    });
  }

  /** Record every message given to `store` and every diagnostic it reports. */
  observe(store: ResponseStore): void {
    if (this.patched.has(store)) return;
    this.patched.add(store);
    const apply = store.apply.bind(store);
    const applyHistoryPage = store.applyHistoryPage.bind(store);
    const report = store.report.bind(store);
    store.apply = (message) => {
      this.log(`live ${describeMessage(message)}`);
      apply(message);
    };
    store.applyHistoryPage = (page) => {
      this.log(`history page of ${page.length} (newest first)`);
      for (const message of page) this.log(`  history ${describeMessage(message)}`);
      applyHistoryPage(page);
    };
    store.report = (diagnostic) => {
      this.log(`report ${diagnostic.kind}: ${diagnostic.message}`);
      report(diagnostic);
    };
  }

  /** A diagnostic from the store's reducer. */
  diagnostic(kind: string, message: string): void {
    this.log(`diagnostic ${kind}: ${message}`);
  }
}

interface EmulatorChannelLike {
  events: Array<{
    seq: number;
    connectionId?: string;
    items: Array<{ serial: string; message: WireLike }>;
  }>;
}

/** The emulator's event log for a channel (in-process emulators only). */
export function describeChannelLog(emulator: unknown, channelName: string): string[] {
  const channels = (emulator as { channels?: Map<string, EmulatorChannelLike> }).channels;
  const channel = channels?.get(channelName);
  if (!channel) return ['(no channel log)'];
  return channel.events.map(
    (event) => `seq ${event.seq}: ${event.items.map((item) => describeMessage(item.message)).join(' | ')}`,
  );
}
