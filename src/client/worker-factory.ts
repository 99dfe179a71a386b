/** Creates the captioner module worker; Vite bundles the entry from this URL. */
export function createCaptionerWorker(): Worker {
  return new Worker(new URL('../../workers/captioner.worker.ts', import.meta.url), {
    type: 'module',
    name: 'metacaptioner',
  });
}

/** The default location of the self-hosted ONNX Runtime files: `<app base>/ort/`. */
export function defaultOrtBase(): string {
  return new URL(`${import.meta.env.BASE_URL}ort/`, globalThis.location.href).href;
}
