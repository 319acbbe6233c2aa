// Whether a request asks for a page: its Accept header names HTML (text/html or application/xhtml+xml)
// with a quality above zero. Wildcards do not count: curl's `*/*` and API clients' `application/json`
// are not browsers, and keep the API's JSON answers.

/** Media ranges read from one Accept header; the rest is ignored (Node already bounds header size). */
const MAX_RANGES = 64;

export function acceptsHtml(accept: string | string[] | undefined): boolean {
  const header = Array.isArray(accept) ? accept.join(',') : accept;
  if (!header) return false;
  return header
    .split(',', MAX_RANGES)
    .some((range) => {
      const [media, ...parameters] = range.split(';');
      const type = media.trim().toLowerCase();
      if (type !== 'text/html' && type !== 'application/xhtml+xml') return false;
      const quality = parameters.map((parameter) => parameter.trim().toLowerCase()).find((parameter) => parameter.startsWith('q='));
      return quality === undefined || Number(quality.slice(2)) > 0;
    });
}
