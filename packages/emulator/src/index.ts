export type { KeyConfig, TokenDetails } from './auth.js';
export type { Capability } from './capability.js';
export type { NamespaceRule } from './channel.js';
export { CONTROL_TOKEN_HEADER } from './control-auth.js';
export { MAX_FAULT_MS } from './delivery-queue.js';
export {
  type ClientOptionsRequest,
  type CutOffOptions,
  DEFAULT_KEY,
  type Emulator,
  type EmulatorClientOptions,
  type EmulatorFaults,
  type EmulatorOptions,
  startEmulator,
} from './emulator.js';
export { EmulatorError } from './errors.js';
export { type ParsedKey, parseKey } from './keys.js';
export { loopbackOrigins, normalizeOrigin } from './origin-policy.js';
