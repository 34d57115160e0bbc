export { DEFAULT_LINK_PROTOCOLS, isAllowedLink } from './url-policy.js';
