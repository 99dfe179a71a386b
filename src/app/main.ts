/** The page's entry: registers `<mc-app>` and, in the built site, the offline service worker. */
import './mc-app';

// The page is the app: no margin around it (set here, not inline, so the CSP needs no inline styles).
document.body.style.margin = '0';

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).catch((err: unknown) => {
    // The page works without it; it just will not open offline.
    console.warn('The offline service worker could not be registered:', err);
  });
}
