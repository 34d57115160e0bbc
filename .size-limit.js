// Size budgets for @resumable/react, gzip, over an app that already has `ably` and `react` (those are
// ignored), initial size only (see lazyChunks below).
//
// The targets are hooks <= 12 KiB and hooks + <StreamingMessage> <= 50 KiB. The component's limit is the
// target: @resumable/markdown bundles markdown-it with four of its imports replaced
// (packages/markdown/build/markdown-it-dependencies.ts): the browser decodes HTML entities, GFM's own
// autolink rules replace linkify-it, the URL parser converts host names, and Unicode classes are
// property escapes (measured 47.8 KiB, from 69.1). The hooks' limit is a ratchet just above the measured
// size (13.8 KiB): nearly all of it is @resumable/core's store and hydration. Lower a limit whenever a
// change makes room; never raise one without saying why.
// Initial size: what loads with the import. A dynamic import() is a chunk loaded when first needed (syntax
// highlighting with the first closed code fence; in @resumable/core, re-reads of a response that arrived
// short, and the rewind strategy's backfill), so it is left out; esbuild would otherwise inline it.
const lazyChunks = {
  name: 'lazy-chunks',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
    );
  },
};

const base = {
  gzip: true,
  ignore: ['ably', 'react', 'react-dom'],
  modifyEsbuildConfig: (config) => ({ ...config, plugins: [...(config.plugins ?? []), lazyChunks] }),
};

export default [
  {
    ...base,
    name: '@resumable/react/hooks: the hooks and the provider',
    path: 'packages/react/dist/hooks.js',
    import: '{ useChannelHydration, useStreamedResponse, ResponseStoreProvider }',
    limit: '13.9 KiB',
  },
  {
    ...base,
    name: '@resumable/react: the hooks alone from the main entry (the markdown parser tree-shaken away)',
    path: 'packages/react/dist/index.js',
    import: '{ useChannelHydration, useStreamedResponse, ResponseStoreProvider }',
    limit: '13.9 KiB',
  },
  {
    ...base,
    name: '@resumable/react: hooks + <StreamingMessage> (markdown parser included, highlighting lazy)',
    path: 'packages/react/dist/index.js',
    import: '{ useChannelHydration, useStreamedResponse, ResponseStoreProvider, StreamingMessage }',
    limit: '50 KiB',
  },
  // Measured 15.6 KiB: nearly all of it is @resumable/core's conversation store and hydration (as in the hooks);
  // the transport, the chunk differ and the converter are about 2.5 KiB. `ai` is a peer dependency, ignored.
  {
    ...base,
    ignore: [...base.ignore, 'ai'],
    name: '@resumable/ai-sdk: the useChat transport and the UIMessage converter (over @resumable/core)',
    path: 'packages/ai-sdk/dist/index.js',
    import: '{ createResumableChatTransport, toUIMessages }',
    limit: '16.5 KiB',
  },
];
