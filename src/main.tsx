import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import './styles.css';
import './components/workbench/workbench.css';

// Read before the app renders: the studio rewrites the query string to its own settings.
const startParams = new URLSearchParams(location.search);
if (startParams.has('bench')) void import('./bench-hook').then((m) => m.installBenchHook(startParams));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
