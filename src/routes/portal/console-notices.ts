// What a console action did, shown on the page it leads back to. An action answers 303 with
// `?notice=<id>`; the notice itself stays on the server with the portal session that made it, so a
// link cannot put words on someone's page, and a reload still shows it. Bounded per sign-in.
import type { PortalSession } from './portal-auth.js';

export interface NoticeItem {
  text: string;
  /** A portal page the item is about (a session). */
  href?: string;
}

export interface ConsoleNotice {
  text: string;
  items?: NoticeItem[];
}

/** Notices kept per sign-in: the newest ones; an older id simply shows no notice. */
const KEPT_PER_SIGN_IN = 8;

export class ConsoleNotices {
  /** Per sign-in, gone with it (a signed-out or evicted portal session is no longer referenced). */
  private readonly bySignIn = new WeakMap<PortalSession, { next: number; notices: Map<string, ConsoleNotice> }>();

  /** Keeps a notice for this sign-in; returns its id for the redirect. */
  post(signIn: PortalSession, notice: ConsoleNotice): string {
    let box = this.bySignIn.get(signIn);
    if (!box) this.bySignIn.set(signIn, (box = { next: 1, notices: new Map() }));
    const id = String(box.next++);
    box.notices.set(id, notice);
    if (box.notices.size > KEPT_PER_SIGN_IN) box.notices.delete(box.notices.keys().next().value!);
    return id;
  }

  get(signIn: PortalSession, id: string | undefined): ConsoleNotice | undefined {
    return id === undefined ? undefined : this.bySignIn.get(signIn)?.notices.get(id);
  }
}
