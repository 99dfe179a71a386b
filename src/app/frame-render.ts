/** Coalesces renders to one per animation frame. */
import type { ReactiveControllerHost } from 'lit';

/**
 * A function that asks `host` to render on the next frame, at most once per
 * frame however often it is called: a small model streams thousands of
 * tokens a second, and a render per token would leave the page behind the
 * worker (a cancel would then show on screen seconds late).
 */
export function frameScheduler(host: ReactiveControllerHost): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      host.requestUpdate();
    });
  };
}
