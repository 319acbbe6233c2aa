// @ts-check
// The portal's one script (type-checked: tsconfig.browser.json). Pages work without it; it adds:
// - live updates: a [data-live="on"] region follows the signed-in key's changes. One tab per browser
//   holds the server's event stream (/portal/live; why, in src/routes/portal/live.ts) and tells the
//   others; on each change a visible page asks for itself again with If-None-Match (its region's
//   data-fingerprint), gets 304 when its region did not change, else swaps the new region in (focus
//   and open <details> kept, by id where entries have one; status changes announced); data-go sends
//   the browser on. A lost connection is said in the live-status banner and retried with backoff;
//   a sign-in that ended stops the page with a message;
// - the mobile hand-off: opens the framed scan UI's "Continue on mobile" step (its QR code);
// - a portal page loaded inside that frame (the scan UI's redirect back) takes over the whole window;
// - the error summary of a refused form gets the focus.
(function () {
  'use strict';
  var STREAM_URL = '/portal/live';
  /** Tabs of one browser elect the one that holds the stream with this lock, and talk on this channel. */
  var LEADER_LOCK = 'zsm-portal-live';
  var CHANNEL_NAME = 'zsm-portal-live';
  var RETRY_FIRST_MS = 1000;
  var RETRY_MAX_MS = 30000;
  /** Where tabs cannot share a stream, a hidden tab lets its own go after this long (and catches up when shown). */
  var HIDDEN_RELEASE_MS = 30000;

  if (window.top && window.top !== window.self) {
    try {
      window.top.location.replace(window.location.href);
      return;
    } catch {
      /* framed by another origin: frame-ancestors forbids that anyway */
    }
  }

  // Live regions --------------------------------------------------------------------------------
  var announcer = document.createElement('p');
  announcer.className = 'visually-hidden';
  announcer.setAttribute('aria-live', 'polite');
  announcer.setAttribute('data-testid', 'live-announcer');
  document.body.appendChild(announcer);

  /**
   * An element's place in a region, to find it again after a swap.
   * @typedef {{ scope: string | null, id: string, index: number, self: boolean }} ElementKey
   */

  /**
   * Identifies an element across a swap: the nearest element with an id inside the region (entries of
   * lists that grow at the top carry one), then the element's data-testid and index among the same
   * testid within it (-1: the element with the id itself).
   * @param {Element} region
   * @param {Element} el
   * @returns {ElementKey | null}
   */
  function keyOf(region, el) {
    var holder = el.closest('[data-testid]');
    if (!holder || !region.contains(holder)) return null;
    var anchor = holder.closest('[id]');
    var scope = anchor && anchor !== region && region.contains(anchor) ? anchor : region;
    var id = holder.getAttribute('data-testid') || '';
    var same = scope.querySelectorAll('[data-testid="' + CSS.escape(id) + '"]');
    return { scope: scope === region ? null : scope.id, id: id, index: holder === scope ? -1 : Array.prototype.indexOf.call(same, holder), self: holder === el };
  }

  /**
   * @param {Element} region
   * @param {ElementKey} key
   * @returns {Element | null}
   */
  function find(region, key) {
    var scope = key.scope ? region.querySelector('#' + CSS.escape(key.scope)) : region;
    if (!scope || key.index === -1) return scope;
    var same = scope.querySelectorAll('[data-testid="' + CSS.escape(key.id) + '"]');
    return same[key.index] || null;
  }

  /**
   * Puts `next` (from a fetched page) in the place of `region`, keeping what the person was doing.
   * @param {Element} region
   * @param {Element} next
   * @returns {Element} the region now in the page
   */
  function swap(region, next) {
    var active = document.activeElement;
    var focused = active && region.contains(active) ? keyOf(region, active) : null;
    var open = Array.from(region.querySelectorAll('details[open]'), function (d) {
      return keyOf(region, d);
    });
    var before = region.querySelector('[data-status]');
    var fresh = /** @type {Element} */ (document.importNode(next, true));
    if (!region.parentNode) return region;
    region.parentNode.replaceChild(fresh, region);
    open.forEach(function (key) {
      var d = key && find(fresh, key);
      if (d instanceof HTMLDetailsElement) d.open = true;
    });
    if (focused) {
      var target = find(fresh, focused);
      if (target && !focused.self) target = target.querySelector('a, button, summary, input, select, textarea, [tabindex]') || target;
      if (target instanceof HTMLElement) target.focus({ preventScroll: true });
    }
    var after = fresh.querySelector('[data-status]');
    if (after && (!before || before.getAttribute('data-status') !== after.getAttribute('data-status'))) {
      announcer.textContent = 'Status: ' + after.getAttribute('data-status');
    }
    return fresh;
  }

  /**
   * What the stream's holder reports: a change of the key, or the state of the connection.
   * `live`: connected; `lost`: no connection, trying again in `retryInMs`; `limited`: refused, the
   * key has as many live pages as the emulator follows; `busy`: refused, the emulator follows as many
   * as it can; `stopped`: signed out, no more tries.
   * @typedef {'live' | 'lost' | 'limited' | 'busy' | 'stopped'} LinkState
   * @typedef {{ changed: () => void, state: (state: LinkState, retryInMs: number) => void }} LinkReport
   * @typedef {{ close: () => void, tellState: () => void }} StreamHolder
   * @typedef {{ leave: () => void }} Link
   */

  /**
   * Holds the event stream of the signed-in key: reconnects with backoff when it is lost, asks the
   * server (probe) why before retrying, and stops once the sign-in has ended.
   * @param {LinkReport} report
   * @param {() => void} released called once this holder has stopped for good (signed out)
   * @returns {StreamHolder}
   */
  function holdStream(report, released) {
    /** @type {EventSource | null} */
    var source = null;
    var retryMs = RETRY_FIRST_MS;
    /** @type {number | undefined} */
    var retryTimer;
    /** @type {number | undefined} */
    var watchdog;
    var heartbeatMs = 25000;
    /** @type {string | null} */
    var byeReason = null;
    var closed = false;
    /** @type {{ state: LinkState, retryInMs: number } | null} */
    var last = null;

    /** @param {LinkState} state @param {number} retryInMs */
    function tell(state, retryInMs) {
      last = { state: state, retryInMs: retryInMs };
      report.state(state, retryInMs);
    }

    /** @param {Event} event */
    function dataOf(event) {
      try {
        var data = JSON.parse(/** @type {MessageEvent} */ (event).data);
        return data && typeof data === 'object' ? data : {};
      } catch {
        return {};
      }
    }

    /** Silence for two heartbeats and a bit: the connection is gone even if the socket does not say so. */
    function watch() {
      clearTimeout(watchdog);
      watchdog = window.setTimeout(lost, 2 * heartbeatMs + 5000);
    }

    function connect() {
      if (closed) return;
      byeReason = null;
      var stream = new EventSource(STREAM_URL);
      source = stream;
      stream.addEventListener('ready', function (event) {
        var beat = Number(dataOf(event).heartbeat_ms);
        if (beat > 0) heartbeatMs = beat;
        retryMs = RETRY_FIRST_MS;
        watch();
        tell('live', 0);
        // Whatever changed while there was no stream: every page looks once.
        report.changed();
      });
      stream.addEventListener('change', function () {
        watch();
        report.changed();
      });
      stream.addEventListener('heartbeat', watch);
      stream.addEventListener('bye', function (event) {
        byeReason = String(dataOf(event).reason || '');
      });
      stream.onerror = lost;
    }

    function drop() {
      clearTimeout(watchdog);
      if (source) source.close();
      source = null;
    }

    function lost() {
      if (closed || !source) return;
      drop();
      if (byeReason === 'idle') return connect();
      if (byeReason === 'signed-out') return finish();
      probe();
    }

    /** Asks whether a stream would be taken, and why not: signed out stops, anything else retries. */
    function probe() {
      if (closed) return;
      fetch(STREAM_URL + '?probe=1', { credentials: 'same-origin', cache: 'no-store', redirect: 'manual' }).then(
        function (res) {
          if (closed) return;
          if (res.status === 204) return connect();
          if (res.status === 401 || res.status === 403 || res.type === 'opaqueredirect') return finish();
          // A 503 with Retry-After is the emulator's bound on live pages; without, it is shutting down.
          retry(res.status === 429 ? 'limited' : res.status === 503 && res.headers.has('retry-after') ? 'busy' : 'lost');
        },
        function () {
          retry('lost');
        },
      );
    }

    /** @param {LinkState} state */
    function retry(state) {
      if (closed) return;
      // A little jitter, so that the pages of many browsers do not all come back at the same instant.
      var wait = Math.round(retryMs * (0.8 + Math.random() * 0.4));
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      tell(state, wait);
      retryTimer = window.setTimeout(probe, wait);
    }

    function finish() {
      tell('stopped', 0);
      close();
      released();
    }

    function close() {
      closed = true;
      clearTimeout(retryTimer);
      drop();
    }

    connect();
    return {
      close: close,
      tellState: function () {
        if (last) report.state(last.state, last.retryInMs);
      },
    };
  }

  /**
   * The key's changes for this tab: one tab of the browser holds the stream and tells the others
   * (Web Locks elect it; BroadcastChannel carries its news); without Web Locks, each tab holds its
   * own while it is visible.
   * @param {LinkReport} report
   * @returns {Link}
   */
  function linkToChanges(report) {
    var locks = navigator.locks;
    if (!locks || typeof BroadcastChannel !== 'function') return ownStreamWhileVisible(report);
    var channel = new BroadcastChannel(CHANNEL_NAME);
    var abandon = new AbortController();
    /** @type {StreamHolder | null} */
    var holder = null;
    /** Lets the lock go, so that another tab of this browser takes the stream over. */
    var releaseLock = function () {};
    channel.onmessage = function (event) {
      var message = event.data;
      if (!message || typeof message !== 'object') return;
      if (message.type === 'change') report.changed();
      else if (message.type === 'state') report.state(message.state, Number(message.retryInMs) || 0);
      else if (message.type === 'hello' && holder) holder.tellState();
    };
    // A tab that arrives asks the holder how the connection is.
    channel.postMessage({ type: 'hello' });
    locks
      .request(LEADER_LOCK, { signal: abandon.signal }, function () {
        return new Promise(function (release) {
          releaseLock = function () {
            release(undefined);
          };
          holder = holdStream(
            {
              changed: function () {
                channel.postMessage({ type: 'change' });
                report.changed();
              },
              state: function (state, retryInMs) {
                channel.postMessage({ type: 'state', state: state, retryInMs: retryInMs });
                report.state(state, retryInMs);
              },
            },
            function () {
              releaseLock();
            },
          );
        });
      })
      .catch(function () {
        /* abandoned before this tab held the stream: nothing to undo */
      });
    return {
      leave: function () {
        abandon.abort();
        if (holder) holder.close();
        releaseLock();
        channel.close();
      },
    };
  }

  /**
   * @param {LinkReport} report
   * @returns {Link}
   */
  function ownStreamWhileVisible(report) {
    /** @type {StreamHolder | null} */
    var holder = null;
    /** @type {number | undefined} */
    var releaseTimer;
    var stopped = false;
    function follow() {
      clearTimeout(releaseTimer);
      if (document.hidden) {
        releaseTimer = window.setTimeout(function () {
          if (holder) holder.close();
          holder = null;
        }, HIDDEN_RELEASE_MS);
      } else if (!holder && !stopped) {
        holder = holdStream(report, function () {
          stopped = true;
        });
      }
    }
    document.addEventListener('visibilitychange', follow);
    follow();
    return {
      leave: function () {
        stopped = true;
        clearTimeout(releaseTimer);
        document.removeEventListener('visibilitychange', follow);
        if (holder) holder.close();
      },
    };
  }

  /**
   * The visible connection state, next to the live region (outside it, so a swap keeps it).
   * @param {Element} region
   */
  function statusBanner(region) {
    var banner = document.createElement('p');
    banner.className = 'notice bad live-status';
    banner.setAttribute('role', 'status');
    banner.setAttribute('data-testid', 'live-status');
    banner.setAttribute('data-state', 'connecting');
    banner.hidden = true;
    if (region.parentNode) region.parentNode.insertBefore(banner, region);
    var shown = false;
    return {
      /**
       * @param {string} state
       * @param {string} text
       * @param {{ href: string, label: string }=} link
       */
      show: function (state, text, link) {
        banner.setAttribute('data-state', state);
        banner.textContent = text;
        if (link) {
          var a = document.createElement('a');
          a.href = link.href;
          a.textContent = link.label;
          a.setAttribute('data-testid', 'live-status-link');
          banner.appendChild(document.createTextNode(' '));
          banner.appendChild(a);
        }
        banner.hidden = false;
        shown = true;
      },
      live: function () {
        banner.setAttribute('data-state', 'live');
        banner.textContent = '';
        banner.hidden = true;
        if (shown) announcer.textContent = 'Live updates resumed.';
        shown = false;
      },
    };
  }

  /** @param {number} ms */
  function inSeconds(ms) {
    var seconds = Math.max(1, Math.round(ms / 1000));
    return seconds + (seconds === 1 ? ' second' : ' seconds');
  }

  function followLive() {
    var first = document.querySelector('[data-live]');
    if (!first) return;
    var go = first.getAttribute('data-go');
    if (go) return window.location.assign(go);
    if (first.getAttribute('data-live') !== 'on') return;
    /** @type {Element} */
    var region = first;
    var banner = statusBanner(region);
    var keyShown = document.querySelector('[data-testid="portal-key"]');
    var signedInAs = keyShown ? keyShown.textContent : null;
    var following = true;
    /** Changed while hidden or while a request was out: look again when possible. */
    var stale = false;
    var fetching = false;
    var link = linkToChanges({ changed: revalidate, state: showState });
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden && stale) revalidate();
    });
    // Back from the back-forward cache: its stream and its place among the tabs are gone; start afresh.
    window.addEventListener('pageshow', function (event) {
      if (event.persisted && following) window.location.reload();
    });

    /** @param {LinkState} state @param {number} retryInMs */
    function showState(state, retryInMs) {
      if (!following) return;
      if (state === 'live') banner.live();
      else if (state === 'lost') banner.show('lost', 'Lost the connection to the emulator: this page is not updating. Trying again in ' + inSeconds(retryInMs) + '.');
      else if (state === 'limited') banner.show('limited', 'Too many live pages are open for this API key: this page is not updating. Trying again in ' + inSeconds(retryInMs) + '.');
      else if (state === 'busy') banner.show('busy', 'The emulator follows as many live pages as it can: this page is not updating. Trying again in ' + inSeconds(retryInMs) + '.');
      else stop('signed-out');
    }

    /** @param {'signed-out' | 'gone' | 'other-key'} why @param {number=} status */
    function stop(why, status) {
      if (!following) return;
      following = false;
      link.leave();
      var here = window.location.pathname + window.location.search;
      if (why === 'signed-out') {
        banner.show('stopped', 'You are signed out: this page no longer updates.', { href: '/portal/sign-in?next=' + encodeURIComponent(here), label: 'Sign in again' });
      } else if (why === 'gone') {
        banner.show('stopped', 'This page is no longer available (HTTP ' + status + '): it no longer updates.', { href: here, label: 'Reload it' });
      } else {
        banner.show('stopped', 'This browser signed in with another key meanwhile: this page no longer updates.', { href: here, label: 'Reload it' });
      }
    }

    /** The region's page again, if its region changed (304 otherwise). */
    function revalidate() {
      if (!following) return;
      if (document.hidden || fetching) {
        stale = true;
        return;
      }
      stale = false;
      fetching = true;
      var asked = region.getAttribute('data-fingerprint') || '';
      fetch(window.location.href, {
        credentials: 'same-origin',
        cache: 'no-store',
        redirect: 'manual',
        headers: { accept: 'text/html', 'if-none-match': 'W/"' + asked + '"' },
      })
        .then(function (res) {
          if (res.ok) return res.text();
          // The sign-in guard's redirect (to the sign-in page) is the only one a live page answers.
          if (res.type === 'opaqueredirect' || res.status === 401 || res.status === 403) stop('signed-out');
          else if (res.status === 404 || res.status === 410) stop('gone', res.status);
          // Anything else (a 5xx, the emulator going away): the next change or reconnection looks again.
          else if (res.status !== 304) stale = true;
          return null;
        })
        .then(
          function (text) {
            if (text === null || !following) return;
            var page = new DOMParser().parseFromString(text, 'text/html');
            var next = page.querySelector('[data-live]');
            if (!next) return;
            var key = page.querySelector('[data-testid="portal-key"]');
            if (signedInAs !== null && (!key || key.textContent !== signedInAs)) return stop('other-key');
            var nextGo = next.getAttribute('data-go');
            if (nextGo) return window.location.assign(nextGo);
            if (next.getAttribute('data-fingerprint') !== region.getAttribute('data-fingerprint')) region = swap(region, next);
            if (next.getAttribute('data-live') !== 'on') {
              // The region holds still from now on (a session ended, nothing owed): no more following.
              following = false;
              link.leave();
              banner.live();
            }
          },
          function () {
            stale = true;
          },
        )
        .then(function () {
          fetching = false;
          if (stale && following && !document.hidden) revalidate();
        });
    }
  }

  // Mobile hand-off -----------------------------------------------------------------------------
  /** @param {HTMLIFrameElement} frame */
  function driveScanUi(frame) {
    function openMobileStep() {
      /** @type {Document | null} */
      var doc;
      try {
        doc = frame.contentDocument;
      } catch {
        return;
      }
      if (!doc || frame.getAttribute('data-driven') === 'mobile') return;
      var root = doc.querySelector('[data-testid="scan-root"]');
      var button = doc.querySelector('[data-testid="start-mobile"]');
      if (root && root.getAttribute('data-step') === 'mobile') frame.setAttribute('data-driven', 'mobile');
      else if (root && button && root.getAttribute('data-step') === 'start') {
        frame.setAttribute('data-driven', 'mobile');
        // An element of the frame's window: not an instance of this window's HTMLElement, but clickable.
        /** @type {HTMLElement} */ (button).click();
      }
    }
    frame.addEventListener('load', openMobileStep);
    openMobileStep();
  }

  // A refused form: the summary of its errors gets the focus, so screen readers start there.
  var errors = document.querySelector('[data-testid="settings-errors"], [data-error-summary]');
  if (errors instanceof HTMLElement) errors.focus();

  var frame = document.querySelector('[data-testid="mobile-scan-ui"]');
  if (frame instanceof HTMLIFrameElement) driveScanUi(frame);
  followLive();
})();
