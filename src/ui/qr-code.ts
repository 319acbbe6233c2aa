// The QR code of the mobile hand-off as an SVG image, drawn by uqr (no network, no canvas), with a
// title for screen readers.
import { renderSVG } from 'uqr';
import { escapeHtml } from './html.js';

/** An SVG QR code of `text`: one module a unit, with the 4-module quiet zone readers expect. */
export function qrSvg(text: string, title = 'QR code'): string {
  const svg = renderSVG(text, { ecc: 'M', border: 4, pixelSize: 1, whiteColor: '#fff', blackColor: '#000' });
  // uqr's opening tag carries only the namespace and viewBox: the title and role go right after it.
  return svg.replace(/^<svg ([^>]*)>/, `<svg $1 shape-rendering="crispEdges" role="img"><title>${escapeHtml(title)}</title>`);
}
