export { compareSerials } from './serial.js';
export * from './wire.js';
