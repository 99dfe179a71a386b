/**
 * `<mc-dataset-export>`: the export panel's part for training-set folders —
 * a zip of the images with their `.txt` sidecars, and (where the browser
 * lets a page write into a folder) writing the sidecars back into the
 * user's dataset folder. Both say what they left out; the folder write asks
 * before any existing file is replaced and names every file it wrote,
 * kept or could not write.
 */
import { LitElement, css, html, nothing } from 'lit';
import { type ImageSource, type ZipProgress, toDatasetZip } from '../session/dataset-zip';
import { exportable } from '../session/exports';
import type { SessionItem } from '../session/item';
import {
  type ExistingChoice,
  type SidecarTarget,
  type TargetState,
  type Unwritable,
  type WriteReport,
  existingQuestion,
  reportText,
  sidecarEntries,
  sidecarTargets,
  unwritableText,
  writePlan,
} from '../session/sidecar-plan';
import { errorMessage, formatBytes } from './format';
import { download } from './download';
import { type FolderPicker, folderPicker, probeTargets, writeSidecars } from './sidecar-folder';
import { blockStyles } from './theme';

/** Work shorter than this shows no progress bar (it would only flicker). */
const SLOW_MS = 400;

type ZipState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running'; readonly progress: ZipProgress | null; readonly slow: boolean }
  | {
      readonly kind: 'done';
      readonly files: number;
      readonly notKept: readonly SessionItem[];
      readonly unwritable: readonly Unwritable[];
    }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'failed'; readonly message: string };

type FolderState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'checking' }
  | {
      readonly kind: 'asking';
      readonly root: FileSystemDirectoryHandle;
      readonly targets: readonly SidecarTarget[];
      readonly states: readonly TargetState[];
      readonly question: string;
      readonly unwritable: readonly Unwritable[];
    }
  | { readonly kind: 'writing'; readonly done: number; readonly total: number }
  | { readonly kind: 'done'; readonly report: WriteReport; readonly unwritable: readonly Unwritable[] }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'failed'; readonly message: string };

const isAbort = (err: unknown) => err instanceof DOMException && err.name === 'AbortError';

/** The dataset exports. */
export class McDatasetExport extends LitElement {
  static override properties = {
    items: { attribute: false },
    image: { attribute: false },
    zip: { state: true },
    folder: { state: true },
  };
  declare items: readonly SessionItem[];
  /** The batch's originals (`Batch.image`); null until the session is open. */
  declare image: ImageSource | null;
  declare zip: ZipState;
  declare folder: FolderState;
  private controller: AbortController | null = null;
  /** Where the browser has no folder picker this stays null and the zip is the way. */
  private readonly picker: FolderPicker | null = folderPicker();

  constructor() {
    super();
    this.items = [];
    this.image = null;
    this.zip = { kind: 'idle' };
    this.folder = { kind: 'idle' };
  }

  private async makeZip(): Promise<void> {
    const image = this.image;
    if (!image || this.zip.kind === 'running') return;
    const controller = new AbortController();
    this.controller = controller;
    this.zip = { kind: 'running', progress: null, slow: false };
    const timer = setTimeout(() => this.zip.kind === 'running' && (this.zip = { ...this.zip, slow: true }), SLOW_MS);
    // Progress comes per chunk read (thousands for a large dataset): redraw at most every 100 ms or per file.
    let shown = { at: 0, files: -1 };
    const onProgress = (progress: ZipProgress) => {
      const now = performance.now();
      if (this.zip.kind !== 'running' || (now - shown.at < 100 && progress.files === shown.files)) return;
      shown = { at: now, files: progress.files };
      this.zip = { ...this.zip, progress };
    };
    try {
      const result = await toDatasetZip(this.items, image, { signal: controller.signal, onProgress });
      const stamp = new Date().toISOString().slice(0, 10);
      download(`dataset-${stamp}.zip`, result.blob, 'application/zip');
      this.zip = { kind: 'done', files: result.files, notKept: result.notKept, unwritable: result.unwritable };
    } catch (err) {
      this.zip = isAbort(err) ? { kind: 'cancelled' } : { kind: 'failed', message: errorMessage(err) };
    } finally {
      clearTimeout(timer);
      this.controller = null;
    }
  }

  private async pickFolder(): Promise<void> {
    if (!this.picker) return;
    let root: FileSystemDirectoryHandle;
    try {
      root = await this.picker();
    } catch (err) {
      // Closing the picker is a choice, not an error.
      this.folder = isAbort(err) ? { kind: 'idle' } : { kind: 'failed', message: errorMessage(err) };
      return;
    }
    this.folder = { kind: 'checking' };
    try {
      const { entries, unwritable } = sidecarEntries(this.items);
      const targets = sidecarTargets(entries, root.name);
      const states = await probeTargets(root, targets);
      const question = existingQuestion(states, root.name);
      if (question) this.folder = { kind: 'asking', root, targets, states, question, unwritable };
      else await this.write(root, targets, states, 'skip', unwritable);
    } catch (err) {
      this.folder = { kind: 'failed', message: errorMessage(err) };
    }
  }

  private async answer(choice: ExistingChoice | 'cancel'): Promise<void> {
    const asked = this.folder;
    if (asked.kind !== 'asking') return;
    if (choice === 'cancel') {
      this.folder = { kind: 'cancelled' };
      return;
    }
    try {
      await this.write(asked.root, asked.targets, asked.states, choice, asked.unwritable);
    } catch (err) {
      this.folder = { kind: 'failed', message: errorMessage(err) };
    }
  }

  private async write(
    root: FileSystemDirectoryHandle,
    targets: readonly SidecarTarget[],
    states: readonly TargetState[],
    choice: ExistingChoice,
    unwritable: readonly Unwritable[],
  ): Promise<void> {
    const plan = writePlan(targets, states, choice);
    this.folder = { kind: 'writing', done: 0, total: plan.writes.length };
    const report = await writeSidecars(
      root,
      plan.writes,
      plan.skipped.map((t) => t.path),
      (done) => (this.folder = { kind: 'writing', done, total: plan.writes.length }),
    );
    // A folder standing where a sidecar should go is never replaced: it is reported as not written.
    const blocked = plan.blocked.map((t) => ({ path: t.path, message: 'a folder of that name is in the way' }));
    this.folder = { kind: 'done', report: { ...report, failed: [...report.failed, ...blocked] }, unwritable };
  }

  override render() {
    const none = exportable(this.items).length === 0;
    const running = this.zip.kind === 'running';
    const busy = this.folder.kind === 'checking' || this.folder.kind === 'writing' || this.folder.kind === 'asking';
    return html`<h3>Dataset folder</h3>
      <p class="muted">
        Each image or video with its caption beside it as a <code>.txt</code> file of the same name, in the same
        folders.
      </p>
      <div class="buttons">
        <button ?disabled=${none || running || !this.image} data-testid="export-dataset" @click=${this.makeZip}>
          Images + sidecars (zip)
        </button>
        ${
          this.picker
            ? html`<button ?disabled=${none || busy} data-testid="write-sidecars" @click=${this.pickFolder}>
                Write sidecars into a folder…
              </button>`
            : nothing
        }
      </div>
      ${this.renderZip()} ${this.renderFolder()}`;
  }

  private renderZip() {
    const z = this.zip;
    switch (z.kind) {
      case 'idle':
        return nothing;
      case 'running': {
        if (!z.slow || !z.progress) return html`<p class="muted" role="status">Making the zip…</p>`;
        const p = z.progress;
        return html`<div class="progress" data-testid="dataset-progress">
          <progress max=${Math.max(p.totalBytes, 1)} .value=${p.bytes} aria-label="Making the zip"></progress>
          <span role="status">
            ${p.files} of ${p.totalFiles} files · ${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}
          </span>
          <button data-testid="dataset-cancel" @click=${() => this.controller?.abort()}>Cancel</button>
        </div>`;
      }
      case 'done':
        return html`<p role="status" data-testid="dataset-done">
            The zip holds ${z.files} ${z.files === 1 ? 'file' : 'files'}, each with its sidecar.
          </p>
          ${
            z.notKept.length
              ? html`<p class="warn" data-testid="dataset-left-out">
                  Left out ${z.notKept.length} ${z.notKept.length === 1 ? 'file' : 'files'} that this session did not
                  keep (over its storage budget): ${z.notKept.map((i) => i.path).join(', ')}. Add
                  ${z.notKept.length === 1 ? 'it' : 'them'} again to include ${z.notKept.length === 1 ? 'it' : 'them'}.
                </p>`
              : nothing
          }
          ${this.renderUnwritable(z.unwritable)}`;
      case 'cancelled':
        return html`<p role="status" class="muted">The zip was cancelled; nothing was downloaded.</p>`;
      case 'failed':
        return html`<p role="alert" class="warn">The zip could not be made: ${z.message}</p>`;
    }
  }

  private renderFolder() {
    const f = this.folder;
    switch (f.kind) {
      case 'idle':
        return nothing;
      case 'checking':
        return html`<p class="muted" role="status">Looking for sidecars already in the folder…</p>`;
      case 'asking': {
        const existing = f.targets.filter((_, i) => f.states[i] === 'file').map((t) => t.path);
        const them = existing.length === 1 ? 'it' : 'them';
        return html`<div class="ask" data-testid="sidecars-question">
          <p role="alert">${f.question}</p>
          <details>
            <summary>Which files</summary>
            ${this.list(existing, 'sidecars-existing')}
          </details>
          <div class="buttons">
            <button data-testid="sidecars-replace" @click=${() => this.answer('replace')}>Replace ${them}</button>
            <button data-testid="sidecars-skip" @click=${() => this.answer('skip')}>Skip ${them}</button>
            <button data-testid="sidecars-cancel" @click=${() => this.answer('cancel')}>Cancel</button>
          </div>
        </div>`;
      }
      case 'writing':
        return html`<p class="muted" role="status">Writing sidecars: ${f.done} of ${f.total}…</p>`;
      case 'done': {
        const r = f.report;
        return html`<div data-testid="sidecars-report">
          <p role="status">${reportText(r)}</p>
          ${this.section('Written', r.written, 'sidecars-written', false)}
          ${this.section('Kept as they were', r.skipped, 'sidecars-kept', false)}
          ${this.section(
            'Not written',
            r.failed.map((x) => `${x.path}: ${x.message}`),
            'sidecars-failed',
            true,
          )}
          ${this.renderUnwritable(f.unwritable)}
        </div>`;
      }
      case 'cancelled':
        return html`<p role="status" class="muted" data-testid="sidecars-report">Cancelled: nothing was written.</p>`;
      case 'failed':
        return html`<p role="alert" class="warn">The sidecars could not be written: ${f.message}</p>`;
    }
  }

  private renderUnwritable(unwritable: readonly Unwritable[]) {
    if (!unwritable.length) return nothing;
    return html`<div class="warn" data-testid="sidecars-unwritable">
      <p>Left out ${unwritable.length} ${unwritable.length === 1 ? 'caption' : 'captions'}:</p>
      ${this.list(unwritable.map(unwritableText), '')}
    </div>`;
  }

  private section(title: string, names: readonly string[], testId: string, open: boolean) {
    if (!names.length) return nothing;
    return html`<details ?open=${open}>
      <summary>${title} (${names.length})</summary>
      ${this.list(names, testId)}
    </details>`;
  }

  private list(names: readonly string[], testId: string) {
    return html`<ul data-testid=${testId || nothing}>
      ${names.map((n) => html`<li>${n}</li>`)}
    </ul>`;
  }

  static override styles = [
    ...blockStyles,
    css`
      h3 {
        margin: 0.75rem 0 0.25rem;
        font-size: 0.95rem;
      }
      p {
        margin: 0.25rem 0;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin: 0.5rem 0;
      }
      .progress {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
      }
      progress {
        flex: 1 1 10rem;
      }
      .warn,
      .ask {
        background: var(--mc-warn-soft);
        border-radius: var(--mc-radius);
        padding: 0.4rem 0.6rem;
        margin: 0.4rem 0;
      }
      ul {
        margin: 0.25rem 0;
        padding-left: 1.2rem;
        max-height: 12rem;
        overflow: auto;
        overflow-wrap: anywhere;
      }
      summary {
        cursor: pointer;
      }
    `,
  ];
}

if (!customElements.get('mc-dataset-export')) customElements.define('mc-dataset-export', McDatasetExport);

declare global {
  interface HTMLElementTagNameMap {
    'mc-dataset-export': McDatasetExport;
  }
}
