import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { fetchConfig } from './api.js';
import { App } from './app.js';
import '@resumable/react/styles.css';
import './theme.css';
import './styles.css';
import './sidebar.css';
// Last: the narrow-screen layout overrides the wide one.
import './narrow.css';

const root = createRoot(document.getElementById('root')!);

fetchConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <p className="fatal">
        The agent server did not answer ({String(error)}). Start the demo with <code>pnpm dev</code>.
      </p>,
    ),
);
