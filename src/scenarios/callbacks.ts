// One local HTTP server for every journey of a run: the merchant's landing pages under /landing/<slot>/
// and webhook receivers under /webhooks/<slot>, each slot belonging to one journey (and its API key).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LandingServer, ReceivedWebhook, ScriptedAnswer, WebhookReceiver } from '../../scenarios/journey.js';
import { verifyZignSecSignature } from '../core/webhook-signature.js';

interface Slot {
  apiKey: string;
  hits: URL[];
  received: ReceivedWebhook[];
  script: (n: number) => ScriptedAnswer;
}

export interface CallbackServer {
  base: string;
  /** The host name in `base`: where the emulator reaches servers the runner or a journey starts. */
  publicHost: string;
  /** The landing pages and the webhook receiver of one journey. */
  open(slot: string, apiKey: string): { landing: LandingServer; receiver: WebhookReceiver };
  close(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const MAX_WEBHOOK_BYTES = 1024 * 1024;

function landingPage(url: URL): string {
  const params = [...url.searchParams].map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd data-param="${escapeHtml(k)}">${escapeHtml(v)}</dd>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Merchant</title></head><body><main data-testid="landing" data-path="${escapeHtml(url.pathname)}"><h1>Merchant landing page</h1><dl>${params}</dl></main></body></html>`;
}

export interface CallbackServerOptions {
  /**
   * The host name the emulator (and the browser) reach this machine by. Default 127.0.0.1, listening on
   * 127.0.0.1 only; any other name listens on every interface (an emulator in another container).
   */
  publicHost?: string;
}

async function listen(server: Server, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startCallbackServer(options: CallbackServerOptions = {}): Promise<CallbackServer> {
  const publicHost = options.publicHost ?? '127.0.0.1';
  const slots = new Map<string, Slot>();
  let base = '';

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', base);
    const [, area, slotName] = url.pathname.split('/');
    const slot = slotName ? slots.get(slotName) : undefined;
    if (area === 'landing' && slot && request.method === 'GET') {
      slot.hits.push(url);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(landingPage(url));
      return;
    }
    if (area === 'webhooks' && slot && request.method === 'POST') {
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_WEBHOOK_BYTES) chunks.push(chunk);
      });
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        const signature = request.headers['x-zignsec-hmac-sha256'];
        const answer = slot.script(slot.received.length + 1);
        slot.received.push({
          headers: { ...request.headers },
          rawBody: raw.toString('utf8'),
          verified: verifyZignSecSignature(raw, typeof signature === 'string' ? signature : undefined, slot.apiKey),
          answered: answer.status,
          at: Date.now(),
        });
        response.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', ...answer.headers });
        response.end(answer.body ?? (answer.status < 300 ? 'ok' : 'scripted failure'));
      });
      return;
    }
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not a journey URL');
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 1000;
  if (publicHost === '127.0.0.1') await listen(server, '127.0.0.1');
  else await listen(server, '::').catch(() => listen(server, '0.0.0.0'));
  base = `http://${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${(server.address() as AddressInfo).port}`;

  return {
    base,
    publicHost,
    open(slotName, apiKey) {
      const slot: Slot = { apiKey, hits: [], received: [], script: () => ({ status: 200 }) };
      slots.set(slotName, slot);
      const landingBase = `${base}/landing/${slotName}`;
      return {
        landing: {
          base: landingBase,
          url: (pathAndQuery: string) => `${landingBase}${pathAndQuery.startsWith('/') ? '' : '/'}${pathAndQuery}`,
          hits: slot.hits,
        },
        receiver: {
          url: `${base}/webhooks/${slotName}`,
          received: slot.received,
          respondWith(script) {
            slot.script = script;
          },
        },
      };
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
