// Reads the QR code of the mobile hand-off's SVG the way a phone camera would read the screen: the
// SVG's dark modules are painted into pixels, and jsQR (as in the browser tests) decodes them.
import jsQRModule from 'jsqr';

const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

/** Pixels per module: enough for jsQR to find the finder patterns. */
const SCALE = 6;

/** The text of a QR code drawn as src/ui/qr-code.ts draws it (uqr): `M x,y h run v1 h-run z` rectangles. */
export function decodeQrSvg(svg: string): string {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const path = /<path[^>]* d="([^"]*)"/.exec(svg);
  if (!viewBox || !path) throw new Error('not a QR code SVG of the emulator');
  const size = Number(viewBox[1]) * SCALE;
  const pixels = new Uint8ClampedArray(size * size * 4).fill(255);
  for (const [, x, y, run] of path[1].matchAll(/M(\d+)[ ,](\d+)h(\d+)v1h-\d+z/g)) {
    for (let row = Number(y) * SCALE; row < (Number(y) + 1) * SCALE; row++) {
      for (let column = Number(x) * SCALE; column < (Number(x) + Number(run)) * SCALE; column++) {
        const at = (row * size + column) * 4;
        pixels[at] = pixels[at + 1] = pixels[at + 2] = 0;
      }
    }
  }
  const code = jsQR(pixels, size, size);
  if (!code) throw new Error('no QR code could be read from the SVG');
  return code.data;
}
