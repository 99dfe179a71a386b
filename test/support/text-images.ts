/**
 * Renders text into real PNG-decoded RGB images in Node (SVG through sharp's
 * librsvg + fontconfig), with known ground truth for OCR accuracy tests.
 */
import sharp from 'sharp';
import type { RgbImage } from '../../src/models/ocr/image.ts';

/** One text image to render. */
export interface TextSample {
  readonly lines: readonly string[];
  readonly font: string;
  readonly size: number;
  readonly weight?: 'normal' | 'bold';
  readonly dark?: boolean;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Renders a sample as a PNG file (bytes). */
export async function renderPng(sample: TextSample): Promise<Buffer> {
  const lineHeight = Math.round(sample.size * 1.8);
  const longest = Math.max(...sample.lines.map((l) => l.length));
  const width = Math.round(longest * sample.size * 0.75 + sample.size * 2);
  const height = lineHeight * sample.lines.length + sample.size;
  const [bg, fg] = sample.dark ? ['#1b1f2a', '#f4f4f4'] : ['#ffffff', '#111111'];
  const text = sample.lines
    .map(
      (line, i) =>
        `<text x="${sample.size}" y="${sample.size + lineHeight * i + sample.size * 0.9}" font-family="${sample.font}" font-size="${sample.size}" font-weight="${sample.weight ?? 'normal'}" fill="${fg}">${escape(line)}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${bg}"/>${text}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Decodes a PNG into RGB pixels. */
export async function decodeRgb(png: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}
