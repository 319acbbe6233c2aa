// QR codes for the mobile hand-off, drawn as a small SVG on the server (no network, no canvas).
import { encode } from 'uqr';

/** An SVG QR code of `text`: one path of dark modules on a white square, with a 4-module quiet zone. */
export function qrSvg(text: string, title = 'QR code'): string {
  const quiet = 4;
  const { data, size } = encode(text, { ecc: 'M', border: 0 });
  const full = size + quiet * 2;
  let path = '';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!data[y][x]) continue;
      // Runs of dark modules on a row become one rectangle: a third of the size of one per module.
      let run = 1;
      while (x + run < size && data[y][x + run]) run++;
      path += `M${x + quiet} ${y + quiet}h${run}v1h-${run}z`;
      x += run - 1;
    }
  }
  const safeTitle = title.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges" role="img">` +
    `<title>${safeTitle}</title><rect width="${full}" height="${full}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}
