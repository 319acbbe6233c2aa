// Merchant settings: the merchants file, plus runtime changes made in the portal (or the control
// API) on top of it. Changes apply to new sessions at once and can be exported as a merchants file.
import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { MerchantSettings, type MerchantsFile } from '../schemas/fixtures.js';

export class MerchantRegistry {
  private readonly overrides = new Map<string, MerchantSettings>();
  /**
   * Derives each key's generated webhook secret and integration id: stable for the key while the
   * process runs, different in every run, and nothing stored per key (any key is a merchant in
   * AUTH_MODE=any, so a map of them would grow without bound).
   */
  private readonly derivationKey = randomBytes(32);
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

  /** The secret the timestamped webhook scheme is keyed with: the merchant's webhook_secret, or the key's generated one. */
  webhookSecretFor(apiKey: string): string {
    return this.settingsFor(apiKey)?.webhook_secret ?? this.derive('webhook-secret', apiKey).toString('base64url');
  }

  /** The id the event envelope names the merchant's integration by (inferred: ZignSec does not say what it is). */
  integrationIdFor(apiKey: string): string {
    const bytes = this.derive('integration-id', apiKey).subarray(0, 16);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** A key's settings as the control API and the portal show them: the webhook secret in effect filled in. */
  viewOf(apiKey: string): MerchantSettings | undefined {
    const settings = this.settingsFor(apiKey);
    return settings && { ...settings, webhook_secret: this.webhookSecretFor(apiKey) };
  }

  private derive(purpose: string, apiKey: string): Buffer {
    return createHmac('sha256', this.derivationKey).update(`${purpose}\n${apiKey}`).digest();
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

  /** The merchants file as export() gives it, each listed merchant showing the webhook secret in effect (so a re-import keeps it). */
  exportView(): MerchantsFile {
    const file = this.export();
    return { ...file, merchants: Object.fromEntries(Object.keys(file.merchants).map((key) => [key, this.viewOf(key)!])) };
  }

  get count(): number {
    return Object.keys(this.export().merchants).length;
  }
}
