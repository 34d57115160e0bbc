// Types for `import '@resumable/react/styles.css'`: a side-effect import with no exports, declared so
// TypeScript (which checks side-effect imports by default from 6.0) resolves it outside Vite too.
export {};
