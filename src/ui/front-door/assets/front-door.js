// @ts-check
// The front door's one script: the Copy button of the example command. Without it (or without a
// clipboard, as on plain http from another machine) the command stays selectable text.
(function () {
  'use strict';
  var button = document.querySelector('[data-copy]');
  var status = document.querySelector('[data-testid="front-door-copy-status"]');
  if (!(button instanceof HTMLButtonElement) || !status) return;
  var shown = status;
  var source = document.getElementById(button.getAttribute('data-copy') || '');
  if (!source) return;
  var text = source.textContent || '';
  var block = source;
  button.hidden = false;

  /** Selects the command, so that the keyboard's copy takes it when the clipboard cannot be written. */
  function selectCommand() {
    var selection = window.getSelection();
    if (!selection) return;
    var range = document.createRange();
    range.selectNodeContents(block);
    selection.removeAllRanges();
    selection.addRange(range);
  }

  button.addEventListener('click', function () {
    var clipboard = navigator.clipboard;
    if (!clipboard || !window.isSecureContext) {
      selectCommand();
      shown.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
      return;
    }
    clipboard.writeText(text).then(
      function () {
        shown.textContent = 'Copied to the clipboard.';
      },
      function () {
        selectCommand();
        shown.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
      },
    );
  });
})();
