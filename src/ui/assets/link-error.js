// @ts-check
// The link-error page's one script: when the page runs in a frame, it tells the parent that the
// one-time link is already used or expired, as ZignSec's scanning UI does (window.postMessage with
// errorCode LINK_EXPIRED). The message and the origins it may go to are in #zsm-frame.
(function () {
  'use strict';
  var block = document.getElementById('zsm-frame');
  if (!block || window.parent === window) return;
  /** @type {{ targets: string[], message: unknown }} */
  var frame = JSON.parse(block.textContent || '{"targets":[]}');
  frame.targets.forEach(function (origin) {
    try {
      window.parent.postMessage(frame.message, origin);
    } catch {
      // An origin the browser refuses to post to: nothing to tell there.
    }
  });
})();
