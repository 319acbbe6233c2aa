// Merchant settings: the merchants file, plus runtime changes made in the portal (or the control
// API) on top of it. Changes apply to new sessions at once and can be exported as a merchants file.
import type { Config } from '../config.js';
import { MerchantSettings, type MerchantsFile } from '../schemas/fixtures.js';

export class MerchantRegistry {
  private readonly overrides = new Map<string, MerchantSettings>();
  /**
   * The file's merchants by key. A Map, not the parsed object: keys are whatever callers send, and
   * an object would answer `toString` or `__proto__` with what it inherits.
   */
  private readonly fromFile: Map<string, MerchantSettings>;

  constructor(
    private readonly config: Pick<Config, 'AUTH_MODE'>,
    private readonly file: MerchantsFile,
  ) {
    this.fromFile = new Map(Object.entries(file.merchants));
  }

  /** Known keys get their settings; in AUTH_MODE=any every other key gets the default settings. */
  settingsFor(apiKey: string): MerchantSettings | undefined {
    const changed = this.overrides.get(apiKey);
    if (changed) return changed;
    const known = this.fromFile.get(apiKey);
    if (known) return known;
    return this.config.AUTH_MODE === 'any' ? this.file.default : undefined;
  }

  isKnown(apiKey: string): boolean {
    return this.overrides.has(apiKey) || this.fromFile.has(apiKey);
  }

  /** Replaces a merchant's settings at runtime (validated by the same schema as the file). */
  update(apiKey: string, settings: unknown): MerchantSettings {
    const parsed = MerchantSettings.parse(settings);
    this.overrides.set(apiKey, parsed);
    return parsed;
  }

  reset(apiKey?: string): void {
    if (apiKey === undefined) this.overrides.clear();
    else this.overrides.delete(apiKey);
  }

  /** The merchants file as it stands now, runtime changes included, ready to commit to a project's fixtures. */
  export(): MerchantsFile {
    return { default: this.file.default, merchants: Object.fromEntries(new Map([...this.fromFile, ...this.overrides])) };
  }

  get count(): number {
    return Object.keys(this.export().merchants).length;
  }
}
