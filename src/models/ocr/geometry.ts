/**
 * Rotated rectangles: where a line of text lies and which way it reads.
 * A text region is a rectangle of `width` along its reading direction and
 * `height` across it, centred at (cx, cy), the reading direction `angle`
 * radians clockwise from the image's +x axis (image y points down). Turning
 * a crop is changing the angle, so no pixels are ever rotated: the
 * resampler reads the region in its own frame.
 */
import type { Box } from '../../shared/ocr.ts';

/** A rectangle in its own frame (see the module comment). */
export interface RotatedBox {
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  readonly angle: number;
}

/** The rotated box of an axis-aligned box (reading left to right). */
export function axisAligned(box: Box): RotatedBox {
  return { cx: box.x + box.width / 2, cy: box.y + box.height / 2, width: box.width, height: box.height, angle: 0 };
}

/** Unit vectors of the reading direction (u) and across it, downwards for upright text (v). */
export function frameOf(angle: number): { ux: number; uy: number; vx: number; vy: number } {
  // Exact for the axis-aligned case, so upright text keeps exact pixel positions.
  const cos = angle === 0 ? 1 : Math.cos(angle);
  const sin = angle === 0 ? 0 : Math.sin(angle);
  return { ux: cos, uy: sin, vx: -sin, vy: cos };
}

/** The four corners, in crop order: top-left, top-right, bottom-right, bottom-left. */
export function cornersOf(r: RotatedBox): [number, number][] {
  const { ux, uy, vx, vy } = frameOf(r.angle);
  const hw = r.width / 2;
  const hh = r.height / 2;
  return [
    [-hw, -hh],
    [hw, -hh],
    [hw, hh],
    [-hw, hh],
  ].map(([a = 0, b = 0]) => [r.cx + a * ux + b * vx, r.cy + a * uy + b * vy]);
}

/** The axis-aligned box around a rotated one. */
export function boundsOf(r: RotatedBox): Box {
  if (r.angle === 0) return { x: r.cx - r.width / 2, y: r.cy - r.height / 2, width: r.width, height: r.height };
  const corners = cornersOf(r);
  const xs = corners.map(([x = 0]) => x);
  const ys = corners.map(([, y = 0]) => y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/** The same region read after turning the crop `quarters` × 90° counter-clockwise. */
export function turned(r: RotatedBox, quarters: number): RotatedBox {
  const odd = Math.abs(quarters) % 2 === 1;
  return {
    cx: r.cx,
    cy: r.cy,
    width: odd ? r.height : r.width,
    height: odd ? r.width : r.height,
    angle: normaliseAngle(r.angle + (quarters * Math.PI) / 2),
  };
}

/** An angle in (−π, π]. */
export function normaliseAngle(angle: number): number {
  let a = angle;
  while (a > Math.PI) a -= 2 * Math.PI;
  while (a <= -Math.PI) a += 2 * Math.PI;
  return a;
}

/** How far two reading directions differ as lines, ignoring which way they read: 0 to π/2. */
export function lineAngleBetween(a: number, b: number): number {
  const d = Math.abs(normaliseAngle(a - b)) % Math.PI;
  return Math.min(d, Math.PI - d);
}

/** Extent of a rotated box along a unit direction: [min, max] of its corners' projections. */
export function extentAlong(r: RotatedBox, dx: number, dy: number): [number, number] {
  const ps = cornersOf(r).map(([x = 0, y = 0]) => x * dx + y * dy);
  return [Math.min(...ps), Math.max(...ps)];
}

/** Convex hull (counter-clockwise in a y-up sense, no collinear points) by Andrew's monotone chain. */
function convexHull(points: readonly [number, number][]): [number, number][] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: readonly [number, number][]) => {
    const chain: [number, number][] = [];
    for (const p of list) {
      // Drop the last point while it does not make a left turn (collinear points go too).
      while (chain.length >= 2) {
        const [o, a] = chain.slice(-2) as [[number, number], [number, number]];
        if (cross(o, a, p) > 0) break;
        chain.pop();
      }
      chain.push(p);
    }
    chain.pop();
    return chain;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

/**
 * A tilted rectangle replaces the upright box only when it is this much
 * smaller: glyph shapes (a descender, a closing brace) tilt the smallest
 * rectangle of an upright line by a degree, which changed readings
 * ("0x1F" → "0xlF"), while text tilted 3° or more saves over 10%.
 */
const TILT_MIN_SAVING = 0.9;

/**
 * The smallest-area rectangle around `points` (rotating calipers over the
 * convex hull's edges), its width the side nearer horizontal, so `angle`
 * is in (−π/4, π/4]; upright unless a tilted one is clearly smaller (see
 * {@link TILT_MIN_SAVING}).
 */
export function minAreaRect(points: readonly [number, number][]): RotatedBox {
  const hull = convexHull(points);
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  const upright = axisAligned({ x: x0, y: y0, width: Math.max(...xs) - x0, height: Math.max(...ys) - y0 });
  let best = upright;
  let bestArea = TILT_MIN_SAVING * upright.width * upright.height;
  for (let i = 0; i < hull.length; i++) {
    const [ax = 0, ay = 0] = hull[i] ?? [];
    const [bx = 0, by = 0] = hull[(i + 1) % hull.length] ?? [];
    const length = Math.hypot(bx - ax, by - ay);
    if (length === 0 || ax === bx || ay === by) continue; // axis-aligned edges give the box already held
    const ux = (bx - ax) / length;
    const uy = (by - ay) / length;
    let uMin = Infinity,
      uMax = -Infinity,
      vMin = Infinity,
      vMax = -Infinity;
    for (const [x, y] of hull) {
      const u = x * ux + y * uy;
      const v = -x * uy + y * ux;
      uMin = Math.min(uMin, u);
      uMax = Math.max(uMax, u);
      vMin = Math.min(vMin, v);
      vMax = Math.max(vMax, v);
    }
    const area = (uMax - uMin) * (vMax - vMin);
    if (area >= bestArea) continue;
    bestArea = area;
    const u = (uMin + uMax) / 2;
    const v = (vMin + vMax) / 2;
    best = {
      cx: u * ux - v * uy,
      cy: u * uy + v * ux,
      width: uMax - uMin,
      height: vMax - vMin,
      angle: Math.atan2(uy, ux),
    };
  }
  // The side nearer horizontal is the width: angle in (−π/4, π/4].
  let r = best;
  while (r.angle > Math.PI / 4) r = turned(r, -1);
  while (r.angle <= -Math.PI / 4) r = turned(r, 1);
  return r;
}
