// Sign-in with an API key, and the page for problems (not found, expired form, errors).
import { html } from '../html.js';
import { layout, raw, when, type SignedIn } from './layout.js';

export interface SignInView {
  token: string;
  next: string;
  strict: boolean;
  error?: string;
  signedOut?: boolean;
}

export function renderSignIn(view: SignInView): string {
  const errorId = view.error ? ' aria-describedby="sign-in-error" aria-invalid="true"' : '';
  return layout({
    title: 'Sign in',
    page: 'sign-in',
    body: html`<section class="card narrow" data-testid="sign-in" aria-labelledby="h-sign-in">
<h1 id="h-sign-in">Sign in to the merchant portal</h1>
<p class="muted">Use the API access token your integration sends in the <code>Authorization</code> header.
${view.strict ? 'This emulator runs with AUTH_MODE=strict: only keys listed in the merchants file are accepted.' : 'Any key works (AUTH_MODE=any); each key is its own merchant.'}</p>
${when(view.signedOut, () => html`<p class="notice ok" role="status" data-testid="signed-out">You are signed out.</p>`)}
<form method="post" action="/portal/sign-in" class="form" data-testid="sign-in-form" novalidate>
<input type="hidden" name="_csrf" value="${view.token}"><input type="hidden" name="next" value="${view.next}">
<div class="field${view.error ? ' has-error' : ''}" data-testid="field-api-key"><label for="api_key">API key</label>
<input type="password" id="api_key" name="api_key" autocomplete="off" spellcheck="false" required maxlength="512" data-testid="sign-in-key"${raw(errorId)}>
${when(view.error, () => html`<p class="field-error" id="sign-in-error" data-testid="sign-in-error" role="alert">${view.error}</p>`)}</div>
<button type="submit" class="primary" data-testid="sign-in-submit">Sign in</button>
</form></section>`,
  });
}

export interface ProblemView {
  status: number;
  title: string;
  text: string;
  signedIn?: SignedIn;
  /** A way on: a link back into the portal. */
  back?: { href: string; label: string };
}

export function renderProblem(view: ProblemView): string {
  return layout({
    title: view.title,
    page: 'problem',
    signedIn: view.signedIn,
    body: html`<section class="card narrow" data-testid="problem" data-status="${view.status}" aria-labelledby="h-problem">
<h1 id="h-problem">${view.title}</h1><p data-testid="problem-text">${view.text}</p>
${when(view.back, () => html`<p><a class="button secondary" href="${view.back!.href}" data-testid="problem-back">${view.back!.label}</a></p>`)}
</section>`,
  });
}
