import type { Preview } from '@storybook/react-vite';
import '../packages/react/src/streaming-message/styles.css';

const preview: Preview = {
  parameters: {
    // Accessibility violations fail the story's test.
    a11y: { test: 'error' },
    controls: { expanded: true },
  },
};

export default preview;
