// A client of the portal's live stream (GET /portal/live, Server-Sent Events) for tests: its own
// connection, the raw text it received, the events parsed from it, and waits on the next event.
import http from 'node:http';

export interface StreamEvent {
  event: string;
  data: unknown;
}

export interface LiveStreamClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Everything received so far, as sent. */
  text(): string;
  /** The events received so far (comments and heartbeats included, as events). */
  events(): StreamEvent[];
  /** Resolves with the next event not yet taken by next(), or rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<StreamEvent>;
  /** Resolves when the server has ended the response or the connection closed. */
  ended: Promise<void>;
  close(): void;
}

function parse(block: string): StreamEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const at = line.indexOf(':');
    const field = at === -1 ? line : line.slice(0, at);
    const value = at === -1 ? '' : line.slice(at + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  const text = data.join('\n');
  try {
    return { event, data: JSON.parse(text) };
  } catch {
    return { event, data: text };
  }
}

/** Opens `path` (default /portal/live) with the portal cookie; answers of any status resolve. */
export function openLiveStream(baseUrl: string, cookie: string | undefined, path = '/portal/live'): Promise<LiveStreamClient> {
  return new Promise((resolve, reject) => {
    // A connection of its own, kept alive as a browser's would be.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const request = http.get(`${baseUrl}${path}`, { agent, headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } }, (response) => {
      let raw = '';
      let buffered = '';
      let taken = 0;
      const events: StreamEvent[] = [];
      const waiters: (() => void)[] = [];
      let endedResolve: () => void = () => undefined;
      const ended = new Promise<void>((done) => (endedResolve = done));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        raw += chunk;
        buffered += chunk;
        let cut: number;
        while ((cut = buffered.indexOf('\n\n')) !== -1) {
          const event = parse(buffered.slice(0, cut));
          buffered = buffered.slice(cut + 2);
          if (event) events.push(event);
        }
        for (const wake of waiters.splice(0)) wake();
      });
      const finish = () => {
        agent.destroy();
        endedResolve();
        for (const wake of waiters.splice(0)) wake();
      };
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', finish);
      let closed = false;
      response.once('close', () => (closed = true));
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        text: () => raw,
        events: () => [...events],
        ended,
        close: () => {
          request.destroy();
          agent.destroy();
        },
        next: (timeoutMs = 5000) =>
          new Promise<StreamEvent>((ok, fail) => {
            const deadline = setTimeout(() => fail(new Error(`no event within ${timeoutMs} ms; received: ${JSON.stringify(raw)}`)), timeoutMs);
            const look = () => {
              if (taken < events.length) {
                clearTimeout(deadline);
                ok(events[taken++]);
              } else if (closed) {
                clearTimeout(deadline);
                fail(new Error(`the stream ended; received: ${JSON.stringify(raw)}`));
              } else waiters.push(look);
            };
            look();
          }),
      });
    });
    request.on('error', reject);
  });
}

/** Waits `ms` of real time (to show that nothing arrives meanwhile). */
export const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
