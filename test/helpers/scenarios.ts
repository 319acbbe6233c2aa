// Helpers of the scenario-runner tests: a strict little XML reader (for the JUnit file), the sample
// merchant app as a separate process, and an output sink for the CLI.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestContext } from './app.js';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (entities decoded), children's text excluded. */
  text: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    if (!(ref in entities)) throw new Error(`unknown entity ${whole}`);
    return entities[ref];
  });
}

/**
 * Parses a well-formed XML document into its root element; throws on anything malformed (unclosed or
 * mismatched tags, a bare "<" or "&", text outside the root), which is what a JUnit consumer would reject.
 */
export function parseXml(source: string): XmlElement {
  let pos = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (message: string): never => {
    throw new Error(`XML: ${message} at offset ${pos}`);
  };
  while (pos < source.length) {
    const lt = source.indexOf('<', pos);
    const text = source.slice(pos, lt === -1 ? source.length : lt);
    if (text.length > 0) {
      if (/&(?![a-z]+;|#\d+;|#x[0-9a-f]+;)/i.test(text)) fail('a bare & in text');
      if (stack.length === 0) {
        if (text.trim() !== '') fail('text outside the root element');
      } else stack[stack.length - 1].text += decode(text);
    }
    if (lt === -1) break;
    pos = lt;
    if (source.startsWith('<?', pos)) {
      const end = source.indexOf('?>', pos);
      if (end === -1) fail('unterminated declaration');
      pos = end + 2;
    } else if (source.startsWith('<!--', pos)) {
      const end = source.indexOf('-->', pos);
      if (end === -1) fail('unterminated comment');
      pos = end + 3;
    } else if (source.startsWith('</', pos)) {
      const match = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(source.slice(pos));
      if (!match) fail('malformed end tag');
      const open = stack.pop();
      if (!open || open.name !== match![1]) fail(`</${match![1]}> closes <${open?.name ?? 'nothing'}>`);
      pos += match![0].length;
    } else {
      const match = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/.exec(source.slice(pos));
      if (!match) fail('malformed start tag');
      const attributes: Record<string, string> = {};
      for (const [, key, value] of match![2].matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*"([^"<]*)"/g)) {
        if (key in attributes) fail(`attribute ${key} twice`);
        attributes[key] = decode(value);
      }
      const element: XmlElement = { name: match![1], attributes, children: [], text: '' };
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root) fail('a second root element');
      else root = element;
      if (match![3] !== '/') stack.push(element);
      pos += match![0].length;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) fail('no root element');
  return root!;
}

/** Every descendant element with this name, depth first. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...findAll(child, name)]);
}

/** Collects what a command writes (the CLI's stdout/stderr in tests). */
export function sink(): { write(text: string): boolean; readonly text: string } {
  let text = '';
  return {
    write(chunk: string) {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
  };
}

const merchantServer = fileURLToPath(new URL('../../fixtures/merchant-app/server.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Starts the sample merchant app in its own Node process (`node --import tsx fixtures/merchant-app/server.ts`)
 * on a free port, talking to `zignsecUrl`; resolves with its base URL once it logs that it is listening.
 */
export async function spawnMerchantApp(t: TestContext, zignsecUrl: string, apiKey: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', merchantServer], {
    cwd: packageDir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ZIGNSEC_URL: zignsecUrl, ZIGNSEC_API_KEY: apiKey, PUBLIC_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the merchant app did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the merchant app exited with ${code}:\n${output}`));
    });
  });
}
