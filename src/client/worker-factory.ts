/** Creates the captioner module worker; Vite bundles the entry from this URL. */
export function createCaptionerWorker(): Worker {
  return new Worker(new URL('../../workers/captioner.worker.ts', import.meta.url), {
    type: 'module',
    name: 'metacaptioner',
  });
}
