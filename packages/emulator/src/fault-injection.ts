/**
 * The emulator's faults (`emulator.faults` and `POST /_emulator/faults/*`): dropping and expiring
 * connections, pausing and delaying delivery, expiring tokens, and cutting connections off the network.
 *
 * @module
 */
import type { AuthRegistry } from './auth.js';
import type { Connection } from './connection.js';
import type { CutOffs } from './cut-offs.js';
import { checkFaultMs, type DeliveryQueue } from './delivery-queue.js';
import type { EmulatorFaults } from './emulator-api.js';
import { errors } from './errors.js';

/** What the faults act on: the server's connections, its delivery queue, tokens and cut-offs. */
export interface FaultTargets {
  readonly connections: Map<string, Connection>;
  readonly delivery: DeliveryQueue;
  readonly auth: AuthRegistry;
  readonly cutOffs: CutOffs;
  log(line: string): void;
}

/**
 * The faults of one emulator, as plain functions (they work detached from the object too).
 *
 * @example
 * ```ts
 * const faults = createFaults({ connections, delivery, auth, cutOffs, log });
 * faults.dropConnections(connectionId); // 1: the client resumes
 * ```
 */
export function createFaults(targets: FaultTargets): EmulatorFaults {
  const { connections, delivery, auth, cutOffs, log } = targets;

  /** Apply a fault to one connection (or all) and log it; returns how many it affected. */
  const eachConnection = (connectionId: string | undefined, action: (c: Connection) => void, what: string): number => {
    const list = connectionId === undefined ? [...connections.values()] : [connections.get(connectionId)];
    let count = 0;
    for (const connection of list) {
      if (!connection) continue;
      action(connection);
      count += 1;
      log(`${connection.id} ${what} (fault)`);
    }
    return count;
  };

  return {
    dropConnections: (connectionId) => eachConnection(connectionId, (c) => c.drop(false), 'dropped'),
    expireConnections: (connectionId) => eachConnection(connectionId, (c) => c.drop(true), 'expired'),
    pauseDelivery: (ms) => {
      delivery.pause(ms);
      log(`delivery paused for ${ms} ms`);
    },
    delayDelivery: (ms) => {
      delivery.delay(ms);
      log(`delivery delay set to ${ms} ms`);
    },
    expireTokens: () => {
      auth.expireAllTokens();
      return eachConnection(undefined, (c) => c.expireToken(), 'token expired');
    },
    cutOff: (connectionId, ms, options = {}) => {
      checkFaultMs('Cut-off', ms);
      if (connectionId !== undefined && !connections.has(connectionId)) {
        throw errors.notFound(
          `Unknown connection "${connectionId}": the emulator holds no state for it (list them with GET /_emulator/connections)`,
        );
      }
      const now = Date.now();
      cutOffs.forgetEnded(now);
      const until = now + ms;
      const expire = options.expire === true;
      return eachConnection(
        connectionId,
        (c) => {
          // Mark first: the client may try to resume as soon as its transport drops.
          if (ms > 0) cutOffs.start(c, until);
          c.drop(expire);
        },
        `cut off for ${ms} ms${expire ? ', state discarded' : ''}`,
      );
    },
  };
}
