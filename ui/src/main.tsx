import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, findRoute } from './app/App';
import './app.css';

// The first screen's code loads while the app asks who is signed in, not after.
void findRoute(window.location.pathname)
  ?.route.preload()
  .catch(() => undefined);

createRoot(document.getElementById('app')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
