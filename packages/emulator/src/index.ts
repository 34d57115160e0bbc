export { type ParsedKey, parseKey } from './keys.js';
