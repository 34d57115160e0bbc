import type { StorybookConfig } from '@storybook/react-vite';
import { defaultClientConditions } from 'vite';
import { storyEmulatorBridge } from './emulator-bridge.js';

const config: StorybookConfig = {
  stories: ['../packages/*/src/**/*.stories.@(ts|tsx)'],
  framework: { name: '@storybook/react-vite', options: {} },
  addons: ['@storybook/addon-a11y', '@storybook/addon-vitest'],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  viteFinal(viteConfig) {
    // Workspace packages resolve to their src/ through the `source` export condition.
    viteConfig.resolve ??= {};
    viteConfig.resolve.conditions = ['source', ...defaultClientConditions];
    // Faults from the stories go through this server (no web page may call the emulator's control endpoint).
    viteConfig.plugins = [...(viteConfig.plugins ?? []), storyEmulatorBridge()];
    return viteConfig;
  },
};

export default config;
