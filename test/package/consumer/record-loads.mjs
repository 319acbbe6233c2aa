// Preloaded with --import in the consumer project: records the URL of every module the program loads
// (in globalThis.loadedModuleUrls), so that it can show which packages an import brought in.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
globalThis.loadedModuleUrls = [];
port1.on('message', (url) => globalThis.loadedModuleUrls.push(url));
port1.unref();
register('./record-loads-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });
