/**
 * `<meta-captioner>`: private, on-device captions and alt text for any
 * page. Point it at an image or a video (`src`, `for` an `<img>` or a
 * `<video>`, or the `image` property), and it captions in a worker on the
 * visitor's GPU, fills the image's `alt` (a video's `aria-label`) when
 * asked, and reports progress, tokens, the finished record and errors as
 * events. A video is sampled into frames (scene changes included) first. Elements with the same configuration share
 * one captioner (one worker, one set of loaded models).
 */
import { LitElement, type PropertyValues, html, nothing } from 'lit';
import type { CaptionRecord, DomainId, CaptionStyle, CapflowOptions } from '../shared/record';
import { DOMAIN_IDS } from '../capflow/spec';
import { isCaptionStyle } from '../capflow/styles';
import { framesSeen } from '../capflow/prompts';
import type { DeviceRequest } from '../shared/api';
import { CancelledError, ImageSourceError, isCaptionerError } from '../shared/errors';
import { type CaptionEvent, writesCaption } from '../shared/events';
import { HUB_HOST, HUB_PATH_TEMPLATE, HUB_SOURCE, type ModelSource } from '../shared/model-source';
import { DEFAULT_PRESET_REQUEST, type PresetRequest, requirePresetRequest } from '../shared/presets';
import { autoTierText } from '../shared/device-fit';
import type { LoadableRole, RoleOverrides } from '../shared/roles';
import { type CaptionErrorDetail, captionEvent, errorFacts } from './events';
import { adviceFor, authorLine } from './advice';
import { captionerWorkerUrl } from '../client/worker-factory';
import { sharedCaptioner } from './shared-captioners';
import { checkMedia } from '../media/sniff';
import { type Target, fetchMedia, findTarget, sourceOf } from './media-source';
import { DEFAULT_VIDEO_SAMPLING } from '../shared/video-sampling';
import { elementStyles } from './styles';

/** The element's modes (the engine's caption modes). */
export type ElementMode = 'single-pass' | 'capflow' | 'prompt';

type State =
  | { readonly phase: 'idle' }
  | { readonly phase: 'working'; readonly status: string; readonly loaded: number; readonly total: number }
  | { readonly phase: 'done'; readonly record: CaptionRecord }
  /** `visitor`: the plain words shown in the element; the author's part goes to the console and the event. */
  | { readonly phase: 'failed'; readonly error: CaptionErrorDetail; readonly visitor: string };

let jobCounter = 0;

/** The element. */
export class MetaCaptioner extends LitElement {
  static override styles = elementStyles;

  static override properties = {
    src: { type: String },
    for: { type: String, attribute: 'for' },
    overwrite: { type: Boolean },
    mode: { type: String },
    captionStyle: { type: String, attribute: 'caption-style' },
    prompt: { type: String },
    preset: { type: String },
    domain: { type: String },
    language: { type: String },
    maxTokens: { type: Number, attribute: 'max-tokens' },
    device: { type: String },
    modelHost: { type: String, attribute: 'model-host' },
    assetsBase: { type: String, attribute: 'assets-base' },
    vlm: { type: String },
    llm: { type: String },
    router: { type: String },
    auto: { type: Boolean },
    frames: { type: Number },
    maxSeconds: { type: Number, attribute: 'max-seconds' },
    image: { attribute: false },
    state: { state: true },
    streamed: { state: true },
  };

  /** URL of the image or video to caption. */
  declare src: string;
  /**
   * Id of an `<img>` or `<video>` to caption; when done its `alt` (a
   * video's `aria-label`) is filled, unless it has one, or `overwrite`.
   */
  declare for: string;
  declare overwrite: boolean;
  declare mode: ElementMode;
  /** `alt` | `short` | `detailed`; default `alt` when filling an `alt`, else `detailed`. */
  declare captionStyle: CaptionStyle | '';
  declare prompt: string;
  /** `auto` (default): the largest tier that fits the visitor's device; or `tiny` | `balanced` | `quality`. */
  declare preset: PresetRequest;
  /** Pin a domain (e.g. `ui`); empty: routing decides. */
  declare domain: string;
  declare language: string;
  declare maxTokens: number;
  declare device: DeviceRequest;
  /** A mirror of the model hub (same URL layout; must allow CORS). */
  declare modelHost: string;
  /** Where the library's `assets/` and `ocr/` folders are, when not next to its module. */
  declare assetsBase: string;
  /** Advanced: another model repo for a role. */
  declare vlm: string;
  declare llm: string;
  declare router: string;
  /** Caption when connected and whenever `src`, `for` or `image` changes. */
  declare auto: boolean;
  /** Frames sampled from a video (besides one per scene change); default 8. */
  declare frames: number;
  /** The longest video captioned, in seconds; default 600. */
  declare maxSeconds: number;
  /** An image or video file to caption (takes precedence over `for` and `src`). */
  declare image: Blob | null;
  declare state: State;
  declare streamed: string;

  private abort: AbortController | null = null;

  constructor() {
    super();
    this.src = '';
    this.for = '';
    this.overwrite = false;
    this.mode = 'single-pass';
    this.captionStyle = '';
    this.prompt = '';
    this.preset = DEFAULT_PRESET_REQUEST;
    this.domain = '';
    this.language = 'English';
    this.maxTokens = 0;
    this.device = 'auto';
    this.modelHost = '';
    this.assetsBase = '';
    this.vlm = '';
    this.llm = '';
    this.router = '';
    this.auto = false;
    this.frames = DEFAULT_VIDEO_SAMPLING.frames;
    this.maxSeconds = DEFAULT_VIDEO_SAMPLING.maxSeconds;
    this.image = null;
    this.state = { phase: 'idle' };
    this.streamed = '';
  }

  /** The record of the last finished caption, if any. */
  get record(): CaptionRecord | null {
    return this.state.phase === 'done' ? this.state.record : null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.auto) this.captionQuietly();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.cancel();
  }

  protected override updated(changed: PropertyValues<this>): void {
    const input = changed.has('src') || changed.has('for') || changed.has('image');
    // The first render's "changes" are the initial values, handled by connectedCallback.
    if (this.auto && input && this.hasUpdated && !changed.has('state')) this.captionQuietly();
  }

  private captionQuietly(): void {
    // Failures are reported as `caption-error`; an automatic caption has no caller to reject.
    queueMicrotask(() => void this.caption().catch(() => {}));
  }

  /** Cancels the caption in progress: its `caption()` promise rejects with `CancelledError`. */
  cancel(): void {
    this.abort?.abort();
  }

  /** Captions the image or video; also fires `caption-done` (or `caption-error`). A caption in progress is cancelled first. */
  async caption(): Promise<CaptionRecord> {
    this.cancel();
    const abort = new AbortController();
    this.abort = abort;
    const jobId = `meta-captioner-${++jobCounter}`;
    this.streamed = '';
    this.setWorking('Reading the file');
    try {
      const { blob, name, target } = await this.readMedia(abort.signal);
      const verdict = await checkMedia(blob, name);
      if (!verdict.ok) throw verdict.error;
      const video = verdict.media === 'video';
      const shared = sharedCaptioner({
        source: this.source(),
        assetsBase: this.assetsBase || undefined,
        device: this.device,
        preset: requirePresetRequest(this.preset),
        overrides: this.overrides(),
      });
      const onEvent = (e: CaptionEvent) => this.onEngineEvent(e, abort.signal);
      this.setWorking('Loading models');
      const report = await shared.ensure(this.roles(video), onEvent, abort.signal);
      // Which tier `preset=auto` took, said once, as it loads ("Automatic: balanced — fits this device").
      if (report?.auto) this.setWorking(autoTierText(report.auto));
      this.setWorking('Captioning');
      const record = await shared.captioner.capflow({
        jobId,
        ...(video
          ? { video: blob, videoSampling: { frames: this.frames, maxSeconds: this.maxSeconds } }
          : { image: blob }),
        name,
        options: this.options(target !== null),
        ocrDevice: this.device,
        onEvent,
        signal: abort.signal,
      });
      if (abort.signal.aborted) throw new CancelledError(jobId);
      // A video has no alt text: its accessible name is the caption.
      const attribute = target instanceof HTMLVideoElement ? 'aria-label' : 'alt';
      if (target && (this.overwrite || !target.getAttribute(attribute))) target.setAttribute(attribute, record.caption);
      this.state = { phase: 'done', record };
      this.dispatchEvent(captionEvent('caption-done', record));
      return record;
    } catch (err) {
      const error = abort.signal.aborted && !isCaptionerError(err, 'CancelledError') ? new CancelledError(jobId) : err;
      const facts = errorFacts(error);
      const advice = adviceFor(facts, {
        modelHost: this.modelHost || HUB_HOST,
        workerUrl: this.workerUrl(),
      });
      const detail: CaptionErrorDetail = { ...facts, fix: advice.fix };
      // The visitor sees plain words; the site's author, who alone can fix it, reads the console.
      if (facts.name !== 'CancelledError') console.error(authorLine(facts, advice.fix));
      if (this.abort === abort) this.state = { phase: 'failed', error: detail, visitor: advice.visitor };
      this.dispatchEvent(captionEvent('caption-error', detail));
      throw error;
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }

  /** Where the worker script is looked for, for the author's advice. */
  private workerUrl(): string {
    // Called while reporting an error: a malformed assets-base must not replace that error with its own.
    try {
      return captionerWorkerUrl(this.assetsBase || undefined).href;
    } catch {
      return this.assetsBase;
    }
  }

  private setWorking(status: string, loaded = 0, total = 0): void {
    this.state = { phase: 'working', status, loaded, total };
    this.dispatchEvent(captionEvent('caption-progress', { kind: 'stage', stage: status }));
  }

  private onEngineEvent(event: CaptionEvent, signal: AbortSignal): void {
    if (signal.aborted) return;
    switch (event.type) {
      case 'download':
        this.state = { phase: 'working', status: 'Downloading models', loaded: event.loadedAll, total: event.totalAll };
        this.dispatchEvent(
          captionEvent('caption-progress', {
            kind: 'download',
            loaded: event.loadedAll,
            total: event.totalAll,
            file: event.file,
          }),
        );
        return;
      case 'video-frames':
        return this.setWorking(
          event.phase === 'scanning' ? 'Finding scene changes' : 'Reading video frames',
          event.done,
          event.total,
        );
      case 'device-fallback':
        return this.setWorking(`The GPU failed (${event.reason}); continuing on the CPU`);
      case 'agent-start':
        // A further attempt of the judge writes the caption afresh.
        if (writesCaption(event.agent)) this.streamed = '';
        return this.setWorking(event.agent === 'router' ? 'Routing' : `Running ${event.agent}`);
      case 'token':
        if (event.agent && !writesCaption(event.agent)) return;
        this.streamed += event.text;
        this.dispatchEvent(captionEvent('caption-token', { text: event.text, agent: event.agent ?? null }));
        return;
      default:
        return;
    }
  }

  /** The file to caption: the `image` property, the `for` image or video, or `src`. */
  private async readMedia(signal: AbortSignal): Promise<{ blob: Blob; name: string; target: Target | null }> {
    if (this.image)
      return { blob: this.image, name: this.image instanceof File ? this.image.name : 'image', target: this.target() };
    const target = this.target();
    const url = target ? sourceOf(target) : this.src;
    if (!url) {
      throw new ImageSourceError(
        this.for
          ? `No <img> or <video> with id "${this.for}" and a src was found next to this <meta-captioner>.`
          : 'Nothing to caption: set src, for (the id of an <img> or <video>) or the image property.',
      );
    }
    return { ...(await fetchMedia(url, signal)), target };
  }

  private target(): Target | null {
    return this.for ? findTarget(this, this.for) : null;
  }

  private source(): ModelSource {
    return this.modelHost ? { kind: 'host', host: this.modelHost, pathTemplate: HUB_PATH_TEMPLATE } : HUB_SOURCE;
  }

  private overrides(): RoleOverrides {
    const overrides: Partial<Record<LoadableRole, { kind: 'repo'; repo: string }>> = {};
    if (this.vlm) overrides.vlm = { kind: 'repo', repo: this.vlm };
    if (this.llm) overrides.llm = { kind: 'repo', repo: this.llm };
    if (this.router) overrides.router = { kind: 'repo', repo: this.router };
    return overrides;
  }

  private pinnedDomain(): DomainId | undefined {
    return DOMAIN_IDS.find((d) => d === this.domain && d !== 'video');
  }

  /** The models the job needs: a video is never routed (it always takes the video workflow). */
  private roles(video: boolean): LoadableRole[] {
    const route = !video && (this.mode === 'capflow' || (this.mode === 'single-pass' && !this.pinnedDomain()));
    if (this.mode === 'capflow') return route ? ['vlm', 'llm', 'router'] : ['vlm', 'llm'];
    return route ? ['vlm', 'router'] : ['vlm'];
  }

  private options(fillsAlt: boolean): CapflowOptions {
    const style: CaptionStyle = isCaptionStyle(this.captionStyle) ? this.captionStyle : fillsAlt ? 'alt' : 'detailed';
    const common = {
      language: this.language || 'English',
      maxNewTokens: this.maxTokens > 0 ? this.maxTokens : undefined,
    };
    switch (this.mode) {
      case 'capflow':
        return { ...common, mode: 'capflow', style, domain: this.pinnedDomain() };
      case 'prompt':
        return { ...common, mode: 'prompt', prompt: this.prompt, judge: null };
      default:
        return { ...common, mode: 'single-pass', style, domain: this.pinnedDomain(), judge: null };
    }
  }

  override render() {
    const s = this.state;
    const working = s.phase === 'working';
    const record = s.phase === 'done' ? s.record : null;
    return html`<div part="base" class="base" aria-busy=${working ? 'true' : 'false'}>
      <slot name="button" @click=${this.onButton}>
        <button part="button" type="button" aria-label="${this.buttonText()} ${this.subject()}">
          ${this.buttonText()}
        </button>
      </slot>
      ${
        working
          ? html`<progress part="progress" max=${s.total || nothing} value=${s.total ? s.loaded : nothing}></progress>`
          : nothing
      }
      <p part="status" class="status" role="status">${this.statusText()}</p>
      ${working && this.streamed ? html`<p part="caption" class="caption streaming">${this.streamed}</p>` : nothing}
      ${record ? html`<p part="caption" class="caption">${record.caption}</p>` : nothing}
      ${
        s.phase === 'failed' && s.error.name !== 'CancelledError'
          ? html`<p part="error" class="error" role="alert">${s.visitor}</p>`
          : nothing
      }
      ${
        record
          ? html`<details part="trace" class="trace">
              <summary>How this caption was made</summary>
              <ol>
                ${record.trace.map(
                  (t) =>
                    html`<li>
                      <strong>${t.agent}</strong> · ${t.model} · ${Math.round(t.ms)}
                      ms${t.frames ? ` · saw the ${framesSeen(t.frames)}` : ''}<br />${t.output}
                    </li>`,
                )}
              </ol>
            </details>`
          : nothing
      }
    </div>`;
  }

  private buttonText(): string {
    if (this.state.phase === 'working') return 'Cancel captioning';
    return this.state.phase === 'done' ? 'Caption again' : 'Caption';
  }

  /** What the button acts on, for its accessible name ("Caption kite.png"). */
  private subject(): string {
    if (this.image) return this.image instanceof File ? this.image.name : 'the image';
    const target = this.target();
    const url = (target && sourceOf(target)) || this.src;
    return url ? decodeURIComponent(url.split(/[?#]/)[0]?.split('/').pop() ?? 'the image') : 'the image';
  }

  private statusText(): string {
    const s = this.state;
    switch (s.phase) {
      case 'idle':
        return '';
      case 'working':
        return s.total ? `${s.status}: ${Math.round((100 * s.loaded) / s.total)}%` : `${s.status}…`;
      case 'done': {
        const runtime = s.record.runtime;
        if (!runtime) return 'Done.';
        const where = runtime.device === 'webgpu' ? 'on the GPU (WebGPU)' : `on the CPU (WASM, ${this.threads()})`;
        const why = runtime.deviceReason ? ` (automatic: ${runtime.deviceReason})` : '';
        return `Done ${where}${why} in ${(s.record.totalMs / 1000).toFixed(1)} s.`;
      }
      case 'failed':
        return s.error.name === 'CancelledError' ? 'Cancelled.' : 'Failed.';
    }
  }

  private threads(): string {
    // Threads need SharedArrayBuffer, which only a cross-origin isolated page has.
    return globalThis.crossOriginIsolated ? 'multi-threaded' : 'single thread: this page is not cross-origin isolated';
  }

  private readonly onButton = (event: Event): void => {
    event.stopPropagation();
    if (this.state.phase === 'working') this.cancel();
    else void this.caption().catch(() => {});
  };
}
