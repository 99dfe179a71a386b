/**
 * What `<meta-captioner>` says when a caption fails, to each of its two
 * audiences. The visitor reads plain words in the element: no error class
 * names, and no ways out that only our own workbench page has (settings, a
 * mirror, an imported folder, a cached preset): a visitor of someone else's
 * site can do none of that. The site's author reads the console and the
 * `caption-error` detail: the attribute that fixes it and the URL that failed.
 */
import type { CaptionerErrorName } from '../shared/errors';

/** The attributes an author can set to fix a failure. */
export type FixAttribute = 'model-host' | 'assets-base' | 'preset' | 'device' | 'src' | 'max-seconds';

/** For the site's author: what to change (machine-readable, as `caption-error`'s `detail.fix`). */
export interface AuthorFix {
  readonly attribute: FixAttribute;
  /** The URL that failed (the model host, the worker script), when the failure is about one. */
  readonly url: string | null;
  readonly advice: string;
}

/** What the element knows of its own configuration, so the advice names the real URLs. */
export interface AdviceContext {
  /** The model host in use: the `model-host` attribute, or the hub. */
  readonly modelHost: string;
  /** Where the worker script was looked for: next to `element.js`, or under `assets-base`. */
  readonly workerUrl: string;
}

/** A failure, told to each audience. */
export interface Advice {
  readonly visitor: string;
  readonly fix: AuthorFix | null;
}

interface Rule {
  /** The visitor's words; `null`: the error's own message, which speaks only of the visitor's file. */
  readonly visitor: string | null;
  readonly fix: {
    readonly attribute: FixAttribute;
    /** Which URL of the {@link AdviceContext} failed, if any. */
    readonly url: keyof AdviceContext | null;
    readonly advice: string;
  } | null;
}

const UNAVAILABLE = 'Captions are not available here right now.';

/** One rule per error name: data, so a new error is a new row. */
const RULES = Object.freeze({
  ModelHostUnreachableError: {
    visitor: 'Captions are not available right now: the captioning models could not be downloaded. Try again later.',
    fix: {
      attribute: 'model-host',
      url: 'modelHost',
      advice:
        'The models could not be downloaded from this host. Set model-host to a host your visitors can reach ' +
        '(a mirror of the model hub: same URL layout, CORS allowed).',
    },
  },
  WorkerCrashedError: {
    visitor: 'The captioner stopped unexpectedly. Try again.',
    fix: {
      attribute: 'assets-base',
      url: 'workerUrl',
      advice:
        'If this happens on the first caption, the worker script could not be started: serve the build’s assets/ ' +
        'and ocr/ folders next to element.js, or set assets-base to the folder that holds them.',
    },
  },
  ModelLoadError: {
    visitor: UNAVAILABLE,
    fix: {
      attribute: 'preset',
      url: null,
      advice: 'Check preset (and vlm, llm, router, model-host): see the message.',
    },
  },
  NotLoadedError: { visitor: UNAVAILABLE, fix: null },
  QuotaExceededError: {
    visitor: 'This browser does not have enough free storage for the captioning models.',
    fix: { attribute: 'preset', url: null, advice: 'A smaller preset (tiny) needs less of the visitor’s storage.' },
  },
  WebGpuUnavailableError: {
    visitor: 'This browser cannot run the captioner on its GPU.',
    fix: { attribute: 'device', url: null, advice: 'Set device to auto (or wasm) to run on the CPU without WebGPU.' },
  },
  ImageSourceError: {
    visitor: 'The image could not be loaded.',
    fix: {
      attribute: 'src',
      url: null,
      advice: 'Check src (or for): the file must exist and, on another site, allow CORS.',
    },
  },
  VideoTooLargeError: {
    visitor: 'This video is too long or too large to caption here.',
    fix: { attribute: 'max-seconds', url: null, advice: 'Raise max-seconds for longer videos.' },
  },
  ImageDecodeError: { visitor: null, fix: null },
  UnsupportedFileError: { visitor: null, fix: null },
  ImageTooLargeError: { visitor: null, fix: null },
  VideoDecodeError: { visitor: null, fix: null },
  CancelledError: { visitor: 'Cancelled.', fix: null },
  ImportError: { visitor: UNAVAILABLE, fix: null },
  DeviceTooSmallError: {
    // The visitor reads why in plain words ("Quality needs one 254 MB buffer; this GPU allows 134 MB").
    visitor: null,
    fix: {
      attribute: 'preset',
      url: null,
      advice: 'Set preset to auto (the default): it takes the largest tier that fits the visitor’s device.',
    },
  },
} as const satisfies Record<CaptionerErrorName, Rule>);

/** Any other error (a RangeError from a bad attribute, say): plain words, and the console has the message. */
const OTHER: Rule = Object.freeze({ visitor: 'Captioning failed.', fix: null });

function ruleFor(name: string): Rule {
  const rules: Readonly<Record<string, Rule>> = RULES;
  return Object.hasOwn(rules, name) ? (rules[name] ?? OTHER) : OTHER;
}

/** What to tell the visitor and the site's author about a failed caption. */
export function adviceFor(error: { readonly name: string; readonly message: string }, context: AdviceContext): Advice {
  const rule = ruleFor(error.name);
  const fix = rule.fix && { ...rule.fix, url: rule.fix.url && context[rule.fix.url] };
  return Object.freeze({ visitor: rule.visitor ?? error.message, fix: fix && Object.freeze(fix) });
}

/** The console line for the site's author: the error by name, then the attribute to set and the URL that failed. */
export function authorLine(error: { readonly name: string; readonly message: string }, fix: AuthorFix | null): string {
  const head = `<meta-captioner>: ${error.name}: ${error.message}`;
  if (!fix) return head;
  return `${head}\nFix: set the ${fix.attribute} attribute. ${fix.advice}${fix.url ? ` (Failed: ${fix.url})` : ''}`;
}
