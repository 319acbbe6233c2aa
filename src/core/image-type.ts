// Recognises image files by their first bytes, so uploads are checked by content, not by a claimed type.

const signatures: { type: string; test: (b: Buffer) => boolean }[] = [
  { type: 'image/jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', test: (b) => b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/gif', test: (b) => b.length > 6 && (b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a') },
  { type: 'image/webp', test: (b) => b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
  { type: 'image/bmp', test: (b) => b.length > 2 && b.toString('latin1', 0, 2) === 'BM' },
  { type: 'image/tiff', test: (b) => b.length > 4 && (b.toString('latin1', 0, 4) === 'II*\u0000' || b.toString('latin1', 0, 4) === 'MM\u0000*') },
  { type: 'image/heic', test: (b) => b.length > 12 && b.toString('latin1', 4, 8) === 'ftyp' && /^(heic|heix|mif1|msf1|avif)$/.test(b.toString('latin1', 8, 12)) },
];

/** The image MIME type of the bytes, or undefined when they are not a supported image. */
export function detectImageType(bytes: Buffer): string | undefined {
  return signatures.find((signature) => signature.test(bytes))?.type;
}
