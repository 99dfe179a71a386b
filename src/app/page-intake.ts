/**
 * The page-wide ways work comes in and out, as a Lit controller: files
 * dropped anywhere on the page (folders walked), images pasted (but not
 * text pasted into a field), and the question before leaving while work
 * runs. The host renders `dragging` as a drop overlay.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type PickedFile, filesFromClipboard, filesFromDrop } from './file-intake';

/** What the intake hands to its host. */
export interface IntakeHost extends ReactiveControllerHost {
  addFiles(files: readonly PickedFile[]): Promise<void>;
  /** True while work waits or runs (leaving then asks first). */
  readonly busy: boolean;
}

/** Drop, paste and leave-guard for a page. */
export class PageIntake implements ReactiveController {
  /** A drag with files is over the page. */
  dragging = false;

  constructor(private readonly host: IntakeHost) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('beforeunload', this.onBeforeUnload);
    window.addEventListener('paste', this.onPaste);
  }

  hostDisconnected(): void {
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    window.removeEventListener('paste', this.onPaste);
  }

  readonly onDrop = (event: DragEvent): void => {
    event.preventDefault();
    this.setDragging(false);
    if (event.dataTransfer) void filesFromDrop(event.dataTransfer).then((files) => this.host.addFiles(files));
  };

  readonly onDragOver = (event: DragEvent): void => {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    this.setDragging(true);
  };

  readonly onDragLeave = (event: DragEvent): void => {
    if (event.relatedTarget === null) this.setDragging(false);
  };

  private setDragging(on: boolean): void {
    if (this.dragging === on) return;
    this.dragging = on;
    this.host.requestUpdate();
  }

  private readonly onPaste = (event: ClipboardEvent): void => {
    const target = event.composedPath()[0];
    // Pasting text into a caption or a setting is editing, not adding work.
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement) return;
    if (event.clipboardData?.files.length) {
      event.preventDefault();
      void this.host.addFiles(filesFromClipboard(event.clipboardData));
    }
  };

  private readonly onBeforeUnload = (event: BeforeUnloadEvent): void => {
    if (!this.host.busy) return;
    // Work in progress is kept, but what is running would start over: ask first.
    event.preventDefault();
    event.returnValue = '';
  };
}
