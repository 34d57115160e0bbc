'use client';
// `@resumable/react`: the hooks, the provider and `<StreamingMessage>`. `@resumable/react/hooks` is the
// same without the component (and so without the markdown parser); `@resumable/react/server` is what a
// server component may import.
export * from './hooks.js';
export { seedToMessage } from './seed.js';
export * from './streaming-message.js';
