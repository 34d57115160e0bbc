export { hintFor, KIT_ERROR_CODES, ResumableError } from './errors.js';
export { compareSerials } from './serial.js';
export type {
  Diagnostic,
  HydrationStrategy,
  NotifyScheduler,
  ResponsePattern,
  ResponseStatus,
  ResponseStoreSnapshot,
  SeedResponse,
  StreamedResponse,
  SyncStatus,
} from './types.js';
export * from './wire.js';
