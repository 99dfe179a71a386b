/**
 * A Node test's own model hub: the tests' model server over a folder, with
 * transformers.js pointed at it and at an empty cache folder inside it, so
 * every file a load needs is asked of the server (and seen in its log).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { type ModelServer, startModelServer } from './model-server';

/** Serves `root` as the hub transformers.js loads from, into `root/cache`. */
export async function serveAsHub(root: string): Promise<ModelServer> {
  const server = await startModelServer(root);
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = server.url;
  env.remotePathTemplate = '{model}/resolve/{revision}/';
  env.cacheDir = join(root, 'cache');
  return server;
}

/** Stops the server and removes the folder. */
export async function closeHub(server: ModelServer, root: string): Promise<void> {
  await server.close();
  rmSync(root, { recursive: true, force: true });
}
