export { collectText } from './collect.js';
