/**
 * The image files the image-fit tests caption, each made to meet one server behaviour: an animated GIF
 * (Ollama refuses GIF), WebPs opaque and transparent (stb_image has no WebP), a photo over 1.5 MB (TGI's
 * 2 MB payload limit as base64), a 24 MP photo (a 16k context), an EXIF-turned JPEG and a small PNG.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/** Deterministic noise, blurred a little: a "photo" that compresses as badly as a real one. */
export function noise(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  let s = 1;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return data;
}

/** Writes the fixtures into `work`: anim.gif, photo.jpg, photo.webp, clear.webp, big.jpg, turned.jpg, small.png. */
export async function writeImageFixtures(work: string): Promise<void> {
  const flat = (colour: string, width = 40, height = 30) =>
    sharp({ create: { width, height, channels: 3, background: colour } })
      .png()
      .toBuffer();
  const frames = await Promise.all(['red', 'green', 'blue'].map((c) => flat(c)));
  writeFileSync(
    join(work, 'anim.gif'),
    await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer(),
  );
  // 2200×1500 at quality 92: a photo over 1.5 MB, over TGI's default 2,000,000-byte limit as base64.
  const photo = sharp(noise(2200, 1500), { raw: { width: 2200, height: 1500, channels: 3 } }).blur(1);
  writeFileSync(join(work, 'photo.jpg'), await photo.jpeg({ quality: 92 }).toBuffer());
  writeFileSync(join(work, 'photo.webp'), await sharp(join(work, 'photo.jpg')).resize(600, 400).webp().toBuffer());
  writeFileSync(
    join(work, 'clear.webp'),
    await sharp({ create: { width: 60, height: 40, channels: 4, background: { r: 0, g: 90, b: 0, alpha: 0.4 } } })
      .webp({ lossless: true })
      .toBuffer(),
  );
  // A 24 MP photo (smooth, so the file is small and quick to make).
  const big = sharp({ create: { width: 6000, height: 4000, channels: 3, background: { r: 120, g: 140, b: 90 } } });
  writeFileSync(join(work, 'big.jpg'), await big.jpeg().toBuffer());
  // Stored 60 wide, 20 high, with EXIF orientation 6: upright it is 20 wide, 60 high.
  writeFileSync(
    join(work, 'turned.jpg'),
    await sharp({ create: { width: 60, height: 20, channels: 3, background: 'orange' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer(),
  );
  writeFileSync(join(work, 'small.png'), await flat('purple'));
}
