// The portal's page frame (header, navigation, sign-out) and the small formatting pieces every page
// uses. Every value goes through the `html` tag, so it is escaped unless it is already SafeHtml.
import { isoInstant } from '../../core/time-limits.js';
import { isFinal } from '../../core/vocabulary.js';
import { prettyJson } from '../../core/json-view.js';
import { html, SafeHtml } from '../html.js';
import { portalAssets } from './assets.js';

export type NavItem = 'start' | 'sessions' | 'settings' | 'outcomes' | 'faults' | 'webhooks' | 'journal' | 'clock';

export interface SignedIn {
  merchantName: string;
  /** The key as shown: masked, never the key itself. */
  maskedKey: string;
  csrf: string;
}

export interface LayoutView {
  title: string;
  /** Names the page: data-page on the root and data-testid="page-<name>" on <main>. */
  page: string;
  nav?: NavItem;
  signedIn?: SignedIn;
  body: SafeHtml;
}

/**
 * The navigation in two groups, each one short row on a phone: the merchant's own pages, and the QA
 * console (the emulator's dials for the signed-in key).
 */
const navGroups: { id: string; label: string; items: { id: NavItem; href: string; label: string }[] }[] = [
  {
    id: 'merchant',
    label: 'Merchant',
    items: [
      { id: 'start', href: '/portal', label: 'Start a scan' },
      { id: 'sessions', href: '/portal/sessions', label: 'Sessions' },
      { id: 'settings', href: '/portal/settings', label: 'Settings' },
    ],
  },
  {
    id: 'console',
    label: 'QA console',
    items: [
      { id: 'outcomes', href: '/portal/outcomes', label: 'Outcomes' },
      { id: 'faults', href: '/portal/faults', label: 'Faults' },
      { id: 'webhooks', href: '/portal/webhooks', label: 'Webhooks' },
      { id: 'journal', href: '/portal/journal', label: 'Journal' },
      { id: 'clock', href: '/portal/clock', label: 'Clock' },
    ],
  },
];

export const raw = (text: string) => new SafeHtml(text);
export const when = (condition: unknown, content: () => SafeHtml): SafeHtml => (condition ? content() : html``);
export const attr = (condition: boolean, name: string) => raw(condition ? ` ${name}` : '');

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** Domain time as the emulator's clock gave it, in UTC with milliseconds. */
export function formatTime(ms: number | null): SafeHtml {
  if (ms === null) return html`<span class="muted">—</span>`;
  const iso = isoInstant(ms);
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace('Z', '')} UTC</time>`;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} kB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A JSON block: pretty (within prettyJson's depth bound), escaped, scrollable, and reachable by keyboard (it may scroll). */
export function jsonBlock(value: unknown, testid: string, label: string): SafeHtml {
  const text = prettyJson(value);
  return html`<pre class="json" tabindex="0" role="region" aria-label="${label}" data-testid="${testid}"><code>${text}</code></pre>`;
}

export function statusBadge(status: string, testid = 'status'): SafeHtml {
  const tone = status === 'Accepted' ? 'ok' : isFinal(status) ? 'bad' : 'running';
  return html`<span class="pill pill-${tone}" data-testid="${testid}" data-status="${status}">${status}</span>`;
}

export function deliveryBadge(status: string, testid = 'delivery-status'): SafeHtml {
  const tone = status === 'succeeded' ? 'ok' : status === 'failed' || status === 'stopped' ? 'bad' : 'running';
  return html`<span class="pill pill-${tone}" data-testid="${testid}" data-status="${status}">${status}</span>`;
}

export function pageShell(title: string, page: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>${title} · ZignSec emulator portal</title>
<link rel="stylesheet" href="${portalAssets['portal.css'].url}"><script src="${portalAssets['portal.js'].url}" defer></script></head>
<body><a class="skip" href="#main" data-testid="skip-link">Skip to content</a>
<div class="portal" data-testid="portal-root" data-page="${page}">${body}</div></body></html>`.value;
}

export function layout(view: LayoutView): string {
  const header = html`<header class="bar" data-testid="portal-header">
<a class="brand" href="/portal" data-testid="portal-home">ZignSec <span class="badge">Emulator portal</span></a>
${when(
  view.signedIn,
  () => html`<nav class="nav" aria-label="Portal" data-testid="portal-nav">${navGroups.map(
    (group) =>
      html`<div class="nav-group" role="group" aria-labelledby="nav-label-${group.id}" data-testid="nav-group-${group.id}"><span class="nav-label" id="nav-label-${group.id}">${group.label}</span>${group.items.map(
        (item) =>
          html`<a href="${item.href}" data-testid="nav-${item.id}"${raw(view.nav === item.id ? ' aria-current="page"' : '')}>${item.label}</a>`,
      )}</div>`,
  )}</nav>
<div class="who" data-testid="portal-merchant"><span class="who-name" data-testid="portal-merchant-name">${view.signedIn!.merchantName}</span>
<code class="who-key" data-testid="portal-key" title="API key (masked)">${view.signedIn!.maskedKey}</code>
<form method="post" action="/portal/sign-out" data-testid="sign-out-form">${csrfField(view.signedIn!.csrf)}<button type="submit" class="link" data-testid="sign-out">Sign out</button></form></div>`,
)}
</header>`;
  return pageShell(
    view.title,
    view.page,
    html`${header}<main id="main" class="main" tabindex="-1" data-testid="page-${view.page}">${view.body}</main>
<footer class="foot" data-testid="portal-footer">Local emulator of ZignSec's scanning and liveness API. Nothing here talks to ZignSec.</footer>`,
  );
}
