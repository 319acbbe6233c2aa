// A journey's browser pages: each in an incognito context of its own, with the journey's wait
// timeouts, an optional device to emulate, its console, errors and navigations noted, and the scan-UI
// sessions it visits tracked for the report.
import { KnownDevices, type Browser, type BrowserContext, type Device, type Page } from 'puppeteer';
import type { ConsoleEntry, NewPageOptions } from '../../scenarios/journey.js';

const SESSION_IN_URL = /\/v3\/scan\/ui\/([0-9a-f-]{36})\//i;

export class JourneyPages {
  readonly pages: Page[] = [];
  readonly console: ConsoleEntry[] = [];
  private readonly contexts: BrowserContext[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly waitTimeoutMs: number,
    /** Told the id of every scan-UI session a page navigates to. */
    private readonly trackSession: (id: string) => void,
  ) {}

  async open(options: NewPageOptions = {}): Promise<Page> {
    const context = await this.browser.createBrowserContext();
    this.contexts.push(context);
    const page = await context.newPage();
    const number = this.pages.length + 1;
    this.pages.push(page);
    page.setDefaultTimeout(this.waitTimeoutMs);
    page.setDefaultNavigationTimeout(this.waitTimeoutMs + 5000);
    const note = (type: string, text: string) => this.console.push({ page: number, type, text, at: Date.now() });
    page.on('console', (message) => note(message.type(), message.text()));
    page.on('pageerror', (error) => note('pageerror', String(error)));
    page.on('requestfailed', (request) => note('requestfailed', `${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
    page.on('framenavigated', (frame) => {
      note('navigated', frame.url());
      const match = SESSION_IN_URL.exec(frame.url());
      if (match) this.trackSession(match[1]);
    });
    if (options.device) {
      const device: Device | undefined = typeof options.device === 'string' ? KnownDevices[options.device as keyof typeof KnownDevices] : options.device;
      if (!device) throw new Error(`unknown device ${JSON.stringify(options.device)}; use a name of puppeteer's KnownDevices such as 'iPhone 13'`);
      await page.emulate(device);
    }
    return page;
  }

  /** Closes every browser context of the journey (and so its pages). */
  async closeAll(): Promise<void> {
    await Promise.all(this.contexts.map((c) => c.close().catch(() => undefined)));
  }
}
