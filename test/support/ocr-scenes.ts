/**
 * Renders OCR test scenes in Node: text laid out on a page (plain, a
 * photo-like texture, panels, stickers, table rules) as SVG through sharp's
 * librsvg, then photo-like per-pixel noise (seeded, so every run draws the
 * same image) and blur. The scenes, their types and ground truth are in
 * test/fixtures/ocr-scenes.ts (free of Node modules: Chromium imports it).
 */
import sharp from 'sharp';
import { type OcrScene, seeded } from '../fixtures/ocr-scenes.ts';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function svgOf(scene: OcrScene): string {
  const background =
    scene.background === 'texture'
      ? // Fractal noise tinted towards a warm grey: a wooden desk or a circuit board under the camera.
        `<filter id="t"><feTurbulence type="fractalNoise" baseFrequency="0.035" numOctaves="4" seed="${scene.seed}"/>` +
        '<feColorMatrix values="0.35 0 0 0 0.30  0 0.30 0 0 0.26  0 0 0.25 0 0.20  0 0 0 0 1"/></filter>' +
        '<rect width="100%" height="100%" filter="url(#t)"/>'
      : `<rect width="100%" height="100%" fill="${scene.background}"/>`;
  const rects = scene.rects
    .map(
      (r) =>
        `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" rx="${r.radius ?? 0}" fill="${r.fill}"/>`,
    )
    .join('');
  const texts = scene.texts
    .map(
      (t) =>
        `<text x="${t.x}" y="${t.y}" font-family="${t.font}" font-size="${t.size}" font-weight="${t.weight ?? 'normal'}" fill="${t.fill}" xml:space="preserve">${escape(t.text)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}">${background}${rects}${texts}</svg>`;
}

/** The scene as PNG bytes. */
export async function renderScene(scene: OcrScene): Promise<Buffer> {
  const { data, info } = await sharp(Buffer.from(svgOf(scene)))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (scene.noise) {
    const random = seeded(scene.seed);
    for (let i = 0; i < data.length; i++) {
      data[i] = Math.max(0, Math.min(255, (data[i] ?? 0) + (random() * 2 - 1) * (scene.noise ?? 0)));
    }
  }
  let image = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
  if (scene.blur) image = image.blur(scene.blur);
  return image.png().toBuffer();
}
