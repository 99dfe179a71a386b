/**
 * Starts the captioner module worker. Its script is found next to this
 * module (Vite emits it with a URL relative to `import.meta.url`, so a copy
 * of the build works under any path), or in `<assetsBase>assets/` when the
 * embedding site moved the files. A worker script on another origin (a
 * CDN) cannot be started directly; a same-origin blob module imports it.
 */
import workerUrl from '../../workers/captioner.worker.ts?worker&url';

/** Where the worker script lives. */
export function captionerWorkerUrl(assetsBase?: string): URL {
  const built = new URL(workerUrl, import.meta.url);
  if (!assetsBase) return built;
  const base = new URL(assetsBase.endsWith('/') ? assetsBase : `${assetsBase}/`, globalThis.location?.href);
  return new URL(`assets/${built.pathname.split('/').pop() ?? ''}`, base);
}

/** Creates the captioner worker. */
export function createCaptionerWorker(assetsBase?: string): Worker {
  const url = captionerWorkerUrl(assetsBase);
  const options: WorkerOptions = { type: 'module', name: 'metacaptioner' };
  if (url.origin === globalThis.location?.origin) return new Worker(url, options);
  const shim = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
  return new Worker(URL.createObjectURL(shim), options);
}
