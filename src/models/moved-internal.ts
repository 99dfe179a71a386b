/**
 * The load error for a transformers.js internal that one of the app's fixes
 * wraps or replaces and that is not where the fix expects it: the version
 * changed under the app (runtime/versions.ts pins it). Loud and named,
 * never a fix that quietly switches off.
 */
import { ModelLoadError } from '../shared/errors';

/** "transformers.js no longer has <what>; src/models/<file> must be updated for this version". */
export function movedInternal(what: string, file: string): ModelLoadError {
  return new ModelLoadError(
    `transformers.js no longer has ${what}; src/models/${file} must be updated for this version`,
  );
}
