import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import './styles.css';

if (new URLSearchParams(location.search).has('bench')) void import('./bench-hook').then((m) => m.installBenchHook());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
