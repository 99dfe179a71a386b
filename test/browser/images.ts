/** Test images drawn in the browser, encoded as real image files. */

/** A solid-colour image file of the given CSS colour. */
export async function solidImage(colour: string, width = 48, height = 32, type = 'image/png'): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2d context');
  ctx.fillStyle = colour;
  ctx.fillRect(0, 0, width, height);
  return canvas.convertToBlob({ type });
}
