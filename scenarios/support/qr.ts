// Reads a QR code the way a phone camera does: from the pixels on screen (a screenshot of the element),
// so the code itself is tested, not only the link beside it. jsqr and pngjs are loaded on first use.
import type { ElementHandle } from 'puppeteer';

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

async function decoders(): Promise<{ jsQR: JsQr; readPng: (buffer: Buffer) => { data: Buffer; width: number; height: number } }> {
  try {
    const qrModule = (await import('jsqr')) as unknown as { default: JsQr | { default: JsQr } };
    // jsqr is CommonJS: under Node's ESM loader its default export is the function itself.
    const jsQR = typeof qrModule.default === 'function' ? qrModule.default : qrModule.default.default;
    const { PNG } = await import('pngjs');
    return { jsQR, readPng: (buffer) => PNG.sync.read(buffer) };
  } catch (error) {
    throw new Error(
      `decoding the QR code needs the jsqr and pngjs packages (dev dependencies of zignsec-mock; install them with \`npm install jsqr pngjs\`): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export async function decodeQrElement(element: ElementHandle<Element>): Promise<string> {
  const { jsQR, readPng } = await decoders();
  await element.evaluate((el) => {
    const img = el as HTMLImageElement;
    return img.complete && img.naturalWidth > 0 ? undefined : new Promise((resolve) => img.addEventListener('load', resolve, { once: true }));
  });
  const png = readPng(Buffer.from(await element.screenshot({ type: 'png' })));
  const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  if (!code) throw new Error('no QR code could be read from the screenshot of the mobile-qr image');
  return code.data;
}
