/**
 * Renders OCR test scenes in Node: text laid out on a page (plain, a
 * photo-like texture, panels, stickers, table rules) as SVG through sharp's
 * librsvg, then photo-like per-pixel noise (seeded, so every run draws the
 * same image) and blur. The scenes, their types and ground truth are in
 * test/fixtures/ocr-scenes.ts (free of Node modules: Chromium imports it).
 */
import sharp from 'sharp';
import { type OcrScene, type SceneTurn, seeded } from '../fixtures/ocr-scenes.ts';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const transform = (turn?: SceneTurn) => (turn ? ` transform="rotate(${turn.degrees} ${turn.cx} ${turn.cy})"` : '');

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
        `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" rx="${r.radius ?? 0}" fill="${r.fill}"${transform(r.turn)}/>`,
    )
    .join('');
  const texts = scene.texts
    .map(
      (t) =>
        `<text x="${t.x}" y="${t.y}" font-family="${t.font}" font-size="${t.size}" font-weight="${t.weight ?? 'normal'}" fill="${t.fill}"${transform(t.turn)} xml:space="preserve">${escape(t.text)}</text>`,
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
  const pixels = scene.perspective ? photographed(data, info.width, info.height, scene.perspective) : data;
  let image = sharp(pixels, { raw: { width: info.width, height: info.height, channels: 3 } });
  if (scene.blur) image = image.blur(scene.blur);
  return image.png().toBuffer();
}

/** The homography taking the unit square's corners (0,0), (1,0), (1,1), (0,1) to `quad`, as 8 coefficients. */
function squareTo(quad: readonly (readonly [number, number])[]): number[] {
  // Heckbert's closed form for square-to-quadrilateral.
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = quad as [[number, number], [number, number], [number, number], [number, number]];
  const sx = x0 - x1 + x2 - x3;
  const sy = y0 - y1 + y2 - y3;
  const dx1 = x1 - x2;
  const dx2 = x3 - x2;
  const dy1 = y1 - y2;
  const dy2 = y3 - y2;
  const det = dx1 * dy2 - dx2 * dy1;
  const g = (sx * dy2 - dx2 * sy) / det;
  const h = (dx1 * sy - sx * dy1) / det;
  return [x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h];
}

/**
 * The page as a camera at an angle sees it: the whole image mapped onto
 * `corners` (fractions of the frame) by a true perspective transform, read
 * back bilinearly; the table around the page is dark grey.
 */
function photographed(data: Buffer, width: number, height: number, corners: readonly (readonly [number, number])[]): Buffer {
  const [a, b, c, d, e, f, g, h] = squareTo(corners.map(([x, y]) => [x * width, y * height] as const));
  // Invert by solving for (u, v) per output pixel: the adjugate of the 3×3 matrix.
  const m = [a, b, c, d, e, f, g, h, 1] as const as readonly number[];
  const [m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 1] = m;
  const inv = [
    m4 * m8 - m5 * m7, m2 * m7 - m1 * m8, m1 * m5 - m2 * m4,
    m5 * m6 - m3 * m8, m0 * m8 - m2 * m6, m2 * m3 - m0 * m5,
    m3 * m7 - m4 * m6, m1 * m6 - m0 * m7, m0 * m4 - m1 * m3,
  ];
  const out = Buffer.alloc(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Pixel centres on both sides.
      const px = x + 0.5;
      const py = y + 0.5;
      const w = (inv[6] ?? 0) * px + (inv[7] ?? 0) * py + (inv[8] ?? 0);
      const u = (((inv[0] ?? 0) * px + (inv[1] ?? 0) * py + (inv[2] ?? 0)) / w) * width - 0.5;
      const v = (((inv[3] ?? 0) * px + (inv[4] ?? 0) * py + (inv[5] ?? 0)) / w) * height - 0.5;
      const o = (y * width + x) * 3;
      if (u < 0 || v < 0 || u > width - 1 || v > height - 1) {
        out.fill(70, o, o + 3);
        continue;
      }
      const u0 = Math.floor(u);
      const v0 = Math.floor(v);
      const fu = u - u0;
      const fv = v - v0;
      const u1 = Math.min(u0 + 1, width - 1);
      const v1 = Math.min(v0 + 1, height - 1);
      for (let ch = 0; ch < 3; ch++) {
        const p = (yy: number, xx: number) => data[(yy * width + xx) * 3 + ch] ?? 0;
        const top = p(v0, u0) * (1 - fu) + p(v0, u1) * fu;
        const bottom = p(v1, u0) * (1 - fu) + p(v1, u1) * fu;
        out[o + ch] = Math.round(top * (1 - fv) + bottom * fv);
      }
    }
  }
  return out;
}
