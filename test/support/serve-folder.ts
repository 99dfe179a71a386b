/** A Vite plugin that serves a folder under a URL prefix of the preview server (same origin as the app). */
import { createReadStream, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { Plugin } from 'vite';

/** Serves files below `root` at `prefix` (e.g. "/models/"); 404 for anything else under it. */
export function serveFolder(prefix: string, root: string): Plugin {
  return {
    name: 'test:serve-folder',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
        if (!path.startsWith(prefix)) return next();
        const file = normalize(join(root, path.slice(prefix.length)));
        const stat = file.startsWith(root) ? statSync(file, { throwIfNoEntry: false }) : undefined;
        if (!stat?.isFile()) {
          res.statusCode = 404;
          return res.end();
        }
        res.setHeader('content-length', stat.size);
        createReadStream(file).pipe(res);
      });
    },
  };
}
