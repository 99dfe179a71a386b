/**
 * Turns transformers.js's per-file progress callbacks into our tagged
 * `download` events with running totals across every file of one load.
 */
import type { ProgressInfo } from '@huggingface/transformers';
import type { EventSink } from '../shared/events';
import type { ModelRole } from '../shared/model-spec';

/** The callback shape transformers.js's `progress_callback` takes. */
export type ProgressCallback = (info: ProgressInfo) => void;

/**
 * A progress callback for one model load that emits `download` events to
 * `sink`. transformers.js reports reads from the cache as progress too;
 * `fromCache` names those files so they count neither as downloads nor in the totals.
 */
export function downloadProgress(
  role: ModelRole,
  sink: EventSink,
  fromCache: (file: string) => boolean = () => false,
  onDownload: (file: string) => void = () => {},
): ProgressCallback {
  const files = new Map<string, { loaded: number; total: number }>();
  return (info) => {
    if (info.status !== 'progress' || fromCache(info.file)) return;
    onDownload(info.file);
    files.set(info.file, { loaded: info.loaded, total: info.total });
    let loadedAll = 0;
    let totalAll = 0;
    for (const f of files.values()) {
      loadedAll += f.loaded;
      totalAll += f.total;
    }
    sink({ type: 'download', role, file: info.file, loaded: info.loaded, total: info.total, loadedAll, totalAll });
  };
}
