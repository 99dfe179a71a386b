/**
 * A consumer of the published package, type-checked against the built
 * declarations (dist-lib/types) through the package's own `exports`, the
 * way another project sees them.
 */
import {
  type CaptionRecord,
  type CaptionStyle,
  DEFAULT_VIDEO_SAMPLING,
  type VideoSampling,
  createCaptioner,
  isCaptionerError,
} from 'metacaptioner-web';
import 'metacaptioner-web/element';
import type { CaptionErrorDetail, MetaCaptioner } from 'metacaptioner-web/element';

document.querySelector('meta-captioner')!.addEventListener('caption-done', (e) => e.detail.caption);

const element: MetaCaptioner | null = document.querySelector('meta-captioner');
element?.addEventListener('caption-error', (e) => {
  const detail: CaptionErrorDetail = e.detail;
  // The fix for the site's author: which attribute, and the URL that failed.
  if (detail.fix?.attribute === 'model-host') return detail.fix.url ?? detail.fix.advice;
  return detail.name;
});
element?.addEventListener('caption-progress', (e) => (e.detail.kind === 'download' ? e.detail.loaded : e.detail.stage));
element?.addEventListener('caption-token', (e) => e.detail.text.length);
const done: Promise<CaptionRecord> | undefined = element?.caption();
const style: CaptionStyle = 'alt';
if (element) element.captionStyle = style;

const captioner = createCaptioner({ assetsBase: '/vendor/mc/' });
void captioner.plan({ preset: 'tiny', roles: ['vlm'] }).then((plan) => plan.downloadBytes);
void captioner
  .capflow({ image: new Blob(), options: { mode: 'single-pass', style } })
  .then((record) => record.domain?.label)
  .catch((err: unknown) => isCaptionerError(err, 'CancelledError'));
const sampling: VideoSampling = { ...DEFAULT_VIDEO_SAMPLING, frames: 12 };
void captioner
  .capflow({ video: new Blob(), videoSampling: sampling, onEvent: (e) => e.type === 'video-frames' && e.done })
  .then((record) => record.timestamps)
  .catch((err: unknown) => isCaptionerError(err, 'VideoDecodeError'));

// @ts-expect-error: the detail of caption-done is a record, not a string
document.querySelector('meta-captioner')!.addEventListener('caption-done', (e) => e.detail.toUpperCase());
void done;
