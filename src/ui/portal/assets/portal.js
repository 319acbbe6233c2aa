// The portal's one script. Pages work without it; it adds three things:
// - live updates: a [data-live="on"] region is refetched while it says so and swapped when its
//   data-fingerprint changes (focus and open <details> kept, by id where entries have one); data-go
//   sends the browser on;
// - the mobile hand-off: opens the framed scan UI's "Continue on mobile" step (its QR code);
// - a portal page loaded inside that frame (the scan UI's redirect back) takes over the whole window;
// - the error summary of a refused form gets the focus.
(function () {
  'use strict';
  var POLL_MS = 600;
  var RETRY_MS = 3000;

  if (window.top !== window.self) {
    try {
      window.top.location.replace(window.location.href);
      return;
    } catch (e) {
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
   * Identifies an element across a swap: the nearest element with an id inside the region (entries of
   * lists that grow at the top carry one), then the element's data-testid and index among the same
   * testid within it (-1: the element with the id itself).
   */
  function keyOf(region, el) {
    var holder = el.closest('[data-testid]');
    if (!holder || !region.contains(holder)) return null;
    var anchor = holder.closest('[id]');
    var scope = anchor && anchor !== region && region.contains(anchor) ? anchor : region;
    var id = holder.getAttribute('data-testid');
    var same = scope.querySelectorAll('[data-testid="' + id + '"]');
    return { scope: scope === region ? null : scope.id, id: id, index: holder === scope ? -1 : Array.prototype.indexOf.call(same, holder), self: holder === el };
  }

  function find(region, key) {
    var scope = key.scope ? region.querySelector('#' + CSS.escape(key.scope)) : region;
    if (!scope || key.index === -1) return scope;
    var same = scope.querySelectorAll('[data-testid="' + key.id + '"]');
    return same[key.index] || null;
  }

  function swap(region, next) {
    var focused = document.activeElement && region.contains(document.activeElement) ? keyOf(region, document.activeElement) : null;
    var open = Array.prototype.map.call(region.querySelectorAll('details[open]'), function (d) {
      return keyOf(region, d);
    });
    var before = region.querySelector('[data-status]');
    var fresh = document.importNode(next, true);
    region.parentNode.replaceChild(fresh, region);
    open.forEach(function (key) {
      var d = key && find(fresh, key);
      if (d && d.tagName === 'DETAILS') d.open = true;
    });
    if (focused) {
      var target = find(fresh, focused);
      if (target && !focused.self) target = target.querySelector('a, button, summary, input, select, textarea, [tabindex]') || target;
      if (target && typeof target.focus === 'function') target.focus({ preventScroll: true });
    }
    var after = fresh.querySelector('[data-status]');
    if (after && (!before || before.getAttribute('data-status') !== after.getAttribute('data-status'))) {
      announcer.textContent = 'Status: ' + after.getAttribute('data-status');
    }
    return fresh;
  }

  function followLive() {
    var region = document.querySelector('[data-live]');
    if (!region) return;
    if (region.getAttribute('data-go')) return window.location.assign(region.getAttribute('data-go'));
    if (region.getAttribute('data-live') !== 'on') return;

    function schedule(ms) {
      setTimeout(refresh, ms);
    }
    function refresh() {
      if (document.hidden) return schedule(POLL_MS);
      fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'text/html' } })
        .then(function (res) {
          // Signed out meanwhile (redirected to the sign-in page) or gone: stop quietly.
          if (!res.ok || res.redirected) return null;
          return res.text();
        })
        .then(
          function (text) {
            if (text === null) return;
            var next = new DOMParser().parseFromString(text, 'text/html').querySelector('[data-live]');
            if (!next) return;
            if (next.getAttribute('data-go')) return window.location.assign(next.getAttribute('data-go'));
            if (next.getAttribute('data-fingerprint') !== region.getAttribute('data-fingerprint')) region = swap(region, next);
            if (next.getAttribute('data-live') === 'on') schedule(POLL_MS);
          },
          function () {
            schedule(RETRY_MS);
          },
        );
    }
    schedule(POLL_MS);
  }

  // Mobile hand-off -----------------------------------------------------------------------------
  function driveScanUi(frame) {
    function openMobileStep() {
      var doc;
      try {
        doc = frame.contentDocument;
      } catch (e) {
        return;
      }
      if (!doc || frame.getAttribute('data-driven') === 'mobile') return;
      var root = doc.querySelector('[data-testid="scan-root"]');
      var button = doc.querySelector('[data-testid="start-mobile"]');
      if (root && root.getAttribute('data-step') === 'mobile') frame.setAttribute('data-driven', 'mobile');
      else if (root && button && root.getAttribute('data-step') === 'start') {
        frame.setAttribute('data-driven', 'mobile');
        button.click();
      }
    }
    frame.addEventListener('load', openMobileStep);
    openMobileStep();
  }

  // A refused form: the summary of its errors gets the focus, so screen readers start there.
  var errors = document.querySelector('[data-testid="settings-errors"], [data-error-summary]');
  if (errors) errors.focus();

  var frame = document.querySelector('[data-testid="mobile-scan-ui"]');
  if (frame) driveScanUi(frame);
  followLive();
})();
