// @ts-check
// The scan UI's one script: shows one step at a time (data-step on the root), drives the camera or
// the file upload, and talks to the UI API under /v3/scan/ui/<id>/ (authorised by the page's cookie).
// Nothing fails silently: a failed step says so in the live region and offers a retry, the state poll
// backs off while the server does not answer and stops, saying why, once the session is gone.
// Type-checked with tsconfig.browser.json (npm run typecheck); its types are in scan-page-types.d.ts.
(function () {
  'use strict';

  /** @typedef {import('./scan-page-types').PageConfig} PageConfig */
  /** @typedef {import('./scan-page-types').UiState} UiState */
  /** @typedef {import('./scan-page-types').MobileLinks} MobileLinks */
  /** @typedef {import('./scan-page-types').TesterAnswer} TesterAnswer */
  /** @typedef {import('./scan-page-types').RequestFailure} RequestFailure */
  /** @typedef {import('./scan-page-types').NoticeKind} NoticeKind */

  /** Per request: the state poll is quick or broken; an upload may be 5 MB from a phone. */
  var TIMEOUT_MS = { state: 8000, action: 20000, upload: 60000 };
  /** Polls of a step that waits for something (the analysis, the phone) come quicker than the others. */
  var POLL_MS = { waiting: 250, idle: 1000 };
  /** After failed polls: 1 s, 2 s, 4 s, then every 8 s until the server answers again. */
  var BACKOFF_MS = { first: 1000, max: 8000 };
  /** A session or a cookie that is gone: polling again cannot help. */
  var GONE_STATUSES = [401, 403, 404, 410];
  var noticeRank = { none: 0, info: 1, connection: 2, action: 3, lost: 4 };

  /**
   * @template {HTMLElement} T
   * @param {string} id
   * @param {new () => T} type
   * @returns {T}
   */
  function element(id, type) {
    var found = document.getElementById(id);
    if (!(found instanceof type)) throw new Error('the page has no ' + type.name + ' #' + id);
    return found;
  }

  var root = element('zsm', HTMLElement);
  /** @type {PageConfig} */
  var cfg = JSON.parse(element('zsm-config', HTMLScriptElement).textContent || '{}');
  var S = cfg.strings;
  var steps = cfg.steps;
  /** @type {HTMLElement[]} */
  var sections = Array.prototype.slice.call(document.querySelectorAll('[data-step-name]'));
  var video = element('video', HTMLVideoElement);
  var message = element('message', HTMLElement);
  var retryButton = element('retry', HTMLButtonElement);
  /** @type {string | null} */
  var current = null;
  /** @type {MediaStream | null} */
  var stream = null;
  /** @type {string | null} */
  var streamFacing = null;
  var cameraDenied = false;
  var busy = false;
  var finished = false;
  /** Set once the session or this browser's access to it is gone: nothing more is sent. */
  var lost = false;
  /** @type {number | null} */
  var pollTimer = null;
  var polling = false;
  var pollFailures = 0;
  var analysisRequested = false;
  /** @type {NoticeKind} */
  var noticeKind = 'none';
  /** @type {(() => void) | null} */
  var retryAction = null;

  /**
   * @param {string} id
   * @param {string} event
   * @param {(event: Event) => void} handler
   */
  function on(id, event, handler) {
    var el = document.getElementById(id);
    if (el) el.addEventListener(event, handler);
  }
  /**
   * @param {string} text
   * @param {Record<string, string | number>} values
   */
  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, /** @type {string} */ key) {
      return key in values ? String(values[key]) : whole;
    });
  }
  /**
   * Puts `text` in the live region unless a stronger notice is showing; '' with `none` clears it.
   * @param {string} text
   * @param {NoticeKind} kind
   */
  function say(text, kind) {
    if (noticeKind === 'lost' || (kind !== 'none' && noticeRank[kind] < noticeRank[noticeKind])) return;
    message.textContent = text;
    noticeKind = text ? kind : 'none';
  }
  /** A new step starts afresh: no retry, no message but a connection problem that still holds. */
  function clearNotice() {
    if (lost) return;
    offerRetry(null, null);
    if (noticeKind !== 'connection') say('', 'none');
  }
  /**
   * @param {string | null} what names the step to try again (data-retry), or null to hide the button
   * @param {(() => void) | null} action
   */
  function offerRetry(what, action) {
    retryAction = action;
    retryButton.hidden = action === null;
    if (what) retryButton.setAttribute('data-retry', what);
    else retryButton.removeAttribute('data-retry');
  }
  /** @param {string} name */
  function isCapture(name) {
    return steps.indexOf(name) >= 0;
  }
  /** @param {'ok' | 'retrying' | 'lost'} state */
  function connection(state) {
    root.setAttribute('data-connection', state);
  }

  /**
   * @param {string} text
   * @param {number} status
   * @returns {RequestFailure}
   */
  function failure(text, status) {
    return Object.assign(new Error(text), { status: status });
  }
  /**
   * @param {unknown} error
   * @returns {number}
   */
  function statusOf(error) {
    return error && typeof error === 'object' && 'status' in error && typeof error.status === 'number' ? error.status : 0;
  }
  /** @param {unknown} error */
  function reasonOf(error) {
    return error instanceof Error ? error.message : String(error);
  }

  /**
   * fetch with a deadline over the answer and its body: a request the server never answers (or
   * answers by halves) is aborted and reported as a failure with status 0, like a lost connection.
   * @template T
   * @param {string} url
   * @param {RequestInit} init
   * @param {number} timeoutMs
   * @param {(res: Response) => Promise<T>} read
   * @returns {Promise<T>}
   */
  function fetchWithin(url, init, timeoutMs, read) {
    var controller = new AbortController();
    var timedOut = false;
    var timer = setTimeout(function () {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    init.signal = controller.signal;
    return fetch(url, init)
      .then(read, function () {
        throw failure(timedOut ? S.timedOut : S.networkError, 0);
      })
      .then(
        function (value) {
          clearTimeout(timer);
          return value;
        },
        function (/** @type {unknown} */ error) {
          clearTimeout(timer);
          throw timedOut ? failure(S.timedOut, 0) : error;
        },
      );
  }

  /**
   * The JSON of an API answer, or a RequestFailure: the API's own description for a refusal, and
   * status 0 for a success whose body cannot be read (cut short, not JSON).
   * @param {Response} res
   * @returns {Promise<any>}
   */
  function readApiAnswer(res) {
    return res.text().then(
      function (text) {
        /** @type {any} */
        var json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        if (!res.ok) {
          var first = json && json.errors && json.errors[0];
          throw failure(first && typeof first.description === 'string' ? first.description : 'HTTP ' + res.status, res.status);
        }
        if (json === undefined || json === null || typeof json !== 'object') throw failure(S.badAnswer, 0);
        return json;
      },
      function () {
        throw res.ok ? failure(S.badAnswer, 0) : failure('HTTP ' + res.status, res.status);
      },
    );
  }

  /**
   * A call of the UI API; its JSON answer, or a RequestFailure.
   * @param {string} method
   * @param {string} path
   * @param {FormData | object} [body]
   * @param {number} [timeoutMs]
   * @returns {Promise<any>}
   */
  function request(method, path, body, timeoutMs) {
    /** @type {Record<string, string>} */
    var headers = { accept: 'application/json' };
    /** @type {RequestInit} */
    var init = { method: method, credentials: 'same-origin', headers: headers };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    return fetchWithin(cfg.api + path, init, timeoutMs || TIMEOUT_MS.action, readApiAnswer);
  }

  /**
   * Whether sending the same request again may work: no answer, a timeout, a rate limit or a server
   * error. A refusal of what was sent (a file that is not an image) needs something else instead.
   * @param {unknown} error
   */
  function retryable(error) {
    var status = statusOf(error);
    return status === 0 || status === 408 || status === 429 || status >= 500;
  }

  /**
   * When `error` says the session or this browser's access is gone, stops everything and says so.
   * @param {unknown} error
   * @returns {boolean} whether it was
   */
  function lostBy(error) {
    var status = statusOf(error);
    if (GONE_STATUSES.indexOf(status) < 0) return false;
    if (lost || finished) return true;
    offerRetry(null, null);
    say(status === 401 || status === 403 ? S.accessLost : S.sessionGone, 'lost');
    lost = true;
    connection('lost');
    if (pollTimer !== null) clearTimeout(pollTimer);
    pollTimer = null;
    stopCamera();
    Array.prototype.forEach.call(root.querySelectorAll('button, input, select'), function (/** @type {HTMLButtonElement} */ el) {
      el.disabled = true;
    });
    return true;
  }

  /**
   * A step that failed: the live region says why and, when sending it again may work, the retry
   * button does that.
   * @param {string} what
   * @param {string} text
   * @param {unknown} error
   * @param {() => void} again
   */
  function failed(what, text, error, again) {
    say(text, 'action');
    if (retryable(error)) offerRetry(what, again);
  }

  /** A step starts: the failure of an earlier attempt is no longer news. */
  function startAction() {
    offerRetry(null, null);
    if (noticeKind === 'action') say('', 'none');
  }

  // Steps ------------------------------------------------------------------------------------
  /**
   * @param {string} name
   * @param {boolean} [focus]
   */
  function show(name, focus) {
    current = name;
    root.setAttribute('data-step', name);
    /** @type {HTMLElement | null} */
    var active = null;
    sections.forEach(function (section) {
      var match = section.getAttribute('data-step-name') === name;
      section.hidden = !match;
      if (match) active = section;
    });
    if (!active) return;
    /** @type {HTMLElement} */
    var shown = active;
    var counter = shown.querySelector('[data-counter]');
    if (counter) counter.textContent = fmt(S.stepOf, { n: steps.indexOf(name) + 1, total: steps.length });
    var slot = shown.querySelector('[data-capture-slot]');
    var capture = element('capture', HTMLElement);
    if (slot) {
      slot.appendChild(capture);
      capture.hidden = false;
      element('doc-controls', HTMLElement).hidden = name.indexOf('document') !== 0;
    } else {
      capture.hidden = true;
    }
    clearNotice();
    if (name.indexOf('document') === 0) startCamera('environment');
    else if (name.indexOf('face') === 0) startCamera('user');
    else stopCamera();
    if (focus !== false) {
      var heading = shown.querySelector('h1');
      if (heading) heading.focus();
    }
  }

  function next() {
    var index = current === null ? -1 : steps.indexOf(current);
    if (index >= 0 && index + 1 < steps.length) show(steps[index + 1]);
    else startAnalysis();
  }

  /** @param {boolean} value */
  function setBusy(value) {
    busy = value;
    root.setAttribute('aria-busy', value ? 'true' : 'false');
    var active = document.querySelector('[data-step-name="' + current + '"]');
    if (!active) return;
    Array.prototype.forEach.call(active.querySelectorAll('button, input'), function (/** @type {HTMLButtonElement} */ el) {
      el.disabled = value;
    });
  }

  // Camera -----------------------------------------------------------------------------------
  /**
   * @param {string} state
   * @param {string} [text]
   */
  function cameraState(state, text) {
    root.setAttribute('data-camera', state);
    element('camera-notice', HTMLElement).textContent = text || '';
    var live = state === 'on';
    // The viewfinder keeps its place while the camera starts, so the controls below it do not
    // jump under a finger (or a test's click) when the preview appears.
    var reserved = live || state === 'starting';
    var captureButton = element('camera-capture', HTMLButtonElement);
    element('viewfinder', HTMLElement).hidden = !reserved;
    captureButton.hidden = !reserved;
    captureButton.disabled = !live || lost;
  }

  function stopCamera() {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    streamFacing = null;
    video.srcObject = null;
    if (root.getAttribute('data-camera') === 'on') cameraState('off');
  }

  /** @param {'denied' | 'unavailable'} reason */
  function cameraOff(reason) {
    var face = current !== null && current.indexOf('face') === 0;
    var text = face ? S.faceNoCamera : reason === 'denied' ? S.cameraDenied : S.cameraUnavailable;
    cameraState(reason, text);
  }

  /** @param {'environment' | 'user'} facing */
  function startCamera(facing) {
    if (lost) return;
    if (cameraDenied) return cameraOff('denied');
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return cameraOff('unavailable');
    if (stream && streamFacing === facing) return cameraState('on');
    stopCamera();
    cameraState('starting', S.cameraStarting);
    var wanted = current;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: facing, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false }).then(
      function (media) {
        if (cameraDenied || current !== wanted || finished || lost) {
          media.getTracks().forEach(function (track) {
            track.stop();
          });
          if (cameraDenied) cameraOff('denied');
          return;
        }
        stream = media;
        streamFacing = facing;
        video.srcObject = media;
        var playing = video.play();
        if (playing && playing.catch) playing.catch(function () {});
        cameraState('on');
      },
      function (/** @type {unknown} */ error) {
        if (current !== wanted) return;
        var name = error instanceof Error ? error.name : '';
        cameraOff(name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'unavailable');
      },
    );
  }

  /** @returns {Promise<void>} */
  function videoReady() {
    return new Promise(function (resolve) {
      if (video.readyState >= 2 && video.videoWidth > 0) return resolve();
      video.addEventListener(
        'loadeddata',
        function () {
          resolve();
        },
        { once: true },
      );
    });
  }

  /** @returns {Promise<Blob>} */
  function grabFrame() {
    return videoReady().then(function () {
      return new Promise(function (resolve, reject) {
        var scale = Math.min(1, 1280 / video.videoWidth);
        var canvas = document.createElement('canvas');
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        var context = canvas.getContext('2d');
        if (!context) return reject(new Error('capture failed'));
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(
          function (blob) {
            if (blob) resolve(blob);
            else reject(new Error('capture failed'));
          },
          'image/jpeg',
          0.85,
        );
      });
    });
  }

  // Uploads ----------------------------------------------------------------------------------
  /**
   * @param {'front' | 'back' | 'selfie'} side
   * @param {Blob} blob
   * @param {string} [name]
   */
  function upload(side, blob, name) {
    var form = new FormData();
    form.append('document', blob, name || side + '.jpg');
    return request('POST', '/documents?side=' + side, form, TIMEOUT_MS.upload);
  }

  /**
   * Uploads an image of the current step (a document side, or the face photo) and moves on. On a
   * failure the live region says so and the retry button sends the same image again (another file,
   * sample or photo works too).
   * @param {'front' | 'back' | 'selfie'} side
   * @param {() => Promise<Blob>} getBlob
   * @param {string} name
   */
  function submitImage(side, getBlob, name) {
    if (busy || finished || lost) return;
    /** The image once taken, so that a retry sends the same one. @type {{ image: Blob | null }} */
    var taken = { image: null };
    startAction();
    setBusy(true);
    say(S.uploading, 'info');
    getBlob()
      .then(function (blob) {
        taken.image = blob;
        return upload(side, blob, name);
      })
      .then(
        function () {
          setBusy(false);
          next();
        },
        function (/** @type {unknown} */ error) {
          setBusy(false);
          if (lostBy(error)) return;
          var kept = taken.image;
          var again = kept
            ? function () {
                return Promise.resolve(/** @type {Blob} */ (kept));
              }
            : getBlob;
          var selfie = side === 'selfie';
          failed(selfie ? 'selfie' : 'upload', fmt(selfie ? S.selfieFailed : S.uploadFailed, { reason: reasonOf(error) }), error, function () {
            submitImage(side, again, name);
          });
        },
      );
  }

  /**
   * @param {() => Promise<Blob>} getBlob
   * @param {string} name
   */
  function submitDocument(getBlob, name) {
    submitImage(current === 'document-back' ? 'back' : 'front', getBlob, name);
  }

  // Analysis, state and the end --------------------------------------------------------------
  function startAnalysis() {
    show('analyzing');
    if (!analysisRequested) requestAnalysis();
    poll(0);
  }

  function requestAnalysis() {
    if (finished || lost) return;
    analysisRequested = true;
    startAction();
    request('POST', '/analysis').then(
      function () {
        poll(0);
      },
      function (/** @type {unknown} */ error) {
        analysisRequested = false;
        if (lostBy(error)) return;
        failed('analysis', fmt(S.analysisFailed, { reason: reasonOf(error) }), error, requestAnalysis);
      },
    );
  }

  /** The wait before the next poll: quick while something is expected, longer after each failure. */
  function nextPollDelay() {
    if (pollFailures > 0) return Math.min(BACKOFF_MS.max, BACKOFF_MS.first * Math.pow(2, pollFailures - 1));
    return current === 'analyzing' || current === 'mobile' ? POLL_MS.waiting : POLL_MS.idle;
  }

  /**
   * One state request at a time; an urgent poll (delay 0) replaces a slower one still waiting.
   * @param {number} delay
   */
  function poll(delay) {
    if (finished || lost || polling) return;
    if (pollTimer !== null) {
      if (delay !== 0) return;
      clearTimeout(pollTimer);
    }
    pollTimer = window.setTimeout(function () {
      pollTimer = null;
      polling = true;
      request('GET', '/state', undefined, TIMEOUT_MS.state)
        .then(
          function (/** @type {UiState} */ state) {
            if (pollFailures > 0 || root.getAttribute('data-connection') !== 'ok') {
              pollFailures = 0;
              connection('ok');
              if (noticeKind === 'connection') say('', 'none');
            }
            handleState(state);
          },
          function (/** @type {unknown} */ error) {
            if (lostBy(error)) return;
            pollFailures += 1;
            connection('retrying');
            say(fmt(S.connectionRetrying, { reason: reasonOf(error) }), 'connection');
          },
        )
        // A surprise in handleState must not stop the polling for good.
        .catch(function () {})
        .then(function () {
          polling = false;
          poll(nextPollDelay());
        });
    }, delay);
  }

  /** @param {UiState} state */
  function handleState(state) {
    root.setAttribute('data-status', state.status);
    if (state.redirect) return finish(state.redirect.url, state.frame_message);
    if (current === 'analyzing' && state.remaining_ms !== null && state.duration_ms) {
      setProgress(Math.max(0, Math.min(100, Math.round(100 * (1 - state.remaining_ms / state.duration_ms)))));
    }
    if (cfg.role === 'desktop') {
      var status = document.getElementById('mobile-status');
      if (status && status.getAttribute('data-mobile') !== state.mobile) {
        status.setAttribute('data-mobile', state.mobile);
        status.textContent = state.mobile === 'opened' ? S.mobileOpened : S.mobileWaiting;
      }
      if (state.analyzing && current !== 'analyzing') show('analyzing');
    }
  }

  /** @param {number} percent */
  function setProgress(percent) {
    element('progress-bar', HTMLElement).style.width = percent + '%';
    element('progress', HTMLElement).setAttribute('aria-valuenow', String(percent));
  }

  /**
   * Framed by the merchant's page: tell it how the flow ended, as ZignSec's scanning UI does
   * (window.postMessage), to the merchant origins the server named only.
   * @param {unknown} frameMessage
   */
  function notifyParent(frameMessage) {
    if (!frameMessage || window.parent === window) return;
    cfg.frame.targets.forEach(function (origin) {
      try {
        window.parent.postMessage(frameMessage, origin);
      } catch {
        // An origin the browser refuses to post to: nothing to tell there.
      }
    });
  }

  /**
   * @param {string} url
   * @param {unknown} frameMessage
   */
  function finish(url, frameMessage) {
    if (finished) return;
    finished = true;
    stopCamera();
    if (current === 'analyzing') setProgress(100);
    if (cfg.role === 'mobile') return show('mobile-done');
    notifyParent(frameMessage);
    show('done');
    element('done-continue', HTMLAnchorElement).href = url;
    root.setAttribute('data-redirect', url);
    window.location.assign(url);
  }

  function cancel() {
    if (finished || lost) return;
    startAction();
    request('POST', '/cancel').then(
      function (/** @type {UiState} */ state) {
        if (state.redirect) finish(state.redirect.url, state.frame_message);
        else poll(0);
      },
      function (/** @type {unknown} */ error) {
        if (lostBy(error)) return;
        failed('cancel', fmt(S.cancelFailed, { reason: reasonOf(error) }), error, cancel);
      },
    );
  }

  // Mobile hand-off (desktop) ----------------------------------------------------------------
  function showMobile() {
    show('mobile');
    requestMobileLink();
    poll(0);
  }

  function requestMobileLink() {
    if (finished || lost) return;
    startAction();
    request('POST', '/mobile-link').then(
      function (/** @type {MobileLinks} */ link) {
        var img = element('mobile-qr', HTMLImageElement);
        img.src = link.qr;
        img.hidden = false;
        var a = element('mobile-link', HTMLAnchorElement);
        a.href = link.url;
        a.textContent = link.url;
        a.setAttribute('data-reach', link.reach);
        showOtherLinks(link.other_urls || []);
      },
      function (/** @type {unknown} */ error) {
        if (lostBy(error)) return;
        failed('mobile-link', fmt(S.errorGeneric, { reason: reasonOf(error) }), error, requestMobileLink);
      },
    );
  }

  /**
   * The same phone link at this computer's other network addresses, for a phone the first one does not reach.
   * @param {string[]} urls
   */
  function showOtherLinks(urls) {
    var list = element('mobile-more-list', HTMLElement);
    list.textContent = '';
    urls.forEach(function (url) {
      var item = document.createElement('li');
      var a = document.createElement('a');
      a.href = url;
      a.textContent = url;
      a.setAttribute('data-testid', 'mobile-more-link');
      item.appendChild(a);
      list.appendChild(item);
    });
    element('mobile-more', HTMLElement).hidden = urls.length === 0;
  }

  function firstStep() {
    if (steps.length > 0) show(steps[0]);
    else startAnalysis();
  }

  // Tester panel -----------------------------------------------------------------------------
  /** @param {string} name */
  function chooseOutcome(name) {
    var shown = element('tester-message', HTMLElement);
    request('POST', '/tester/outcome', { outcome: name }).then(
      function (/** @type {TesterAnswer} */ result) {
        shown.textContent = fmt(result.applied ? S.testerApplied : S.testerLocked, { name: result.outcome.name, rule: result.outcome.rule });
        shown.setAttribute('data-applied', String(result.applied));
        var currentOutcome = document.querySelector('[data-testid="tester-current-outcome"]');
        if (currentOutcome) currentOutcome.textContent = result.outcome.name + ' (' + result.outcome.rule + ')';
      },
      function (/** @type {unknown} */ error) {
        shown.textContent = fmt(S.errorGeneric, { reason: reasonOf(error) });
      },
    );
  }

  /** Resolves once the camera has started or given up (at most a few seconds), never while it is starting. */
  function cameraSettled() {
    return new Promise(function (resolve) {
      var waited = 0;
      (function check() {
        if (root.getAttribute('data-camera') !== 'starting' || waited >= 5000) return resolve(undefined);
        waited += 50;
        setTimeout(check, 50);
      })();
    });
  }

  // Wiring -----------------------------------------------------------------------------------
  on('start-browser', 'click', firstStep);
  on('start-mobile', 'click', showMobile);
  on('mobile-back', 'click', firstStep);
  on('cancel', 'click', cancel);
  on('retry', 'click', function () {
    var action = retryAction;
    if (!action || lost) return;
    offerRetry(null, null);
    say('', 'none');
    action();
  });
  on('camera-capture', 'click', function () {
    if (root.getAttribute('data-camera') !== 'on') return;
    submitDocument(grabFrame, (current === 'document-back' ? 'back' : 'front') + '.jpg');
  });
  on('file-input', 'change', function (event) {
    var input = /** @type {HTMLInputElement} */ (event.target);
    var file = input.files && input.files[0];
    if (!file) return;
    var chosen = file;
    submitDocument(function () {
      return Promise.resolve(chosen);
    }, chosen.name);
    input.value = '';
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-sample]'), function (/** @type {HTMLButtonElement} */ button) {
    button.addEventListener('click', function () {
      var name = button.getAttribute('data-sample') || '';
      submitDocument(function () {
        return fetchWithin(cfg.samplesBase + name, { credentials: 'same-origin' }, TIMEOUT_MS.upload, function (res) {
          if (!res.ok) throw failure('HTTP ' + res.status, res.status);
          return res.blob();
        });
      }, name);
    });
  });

  on('face-align-continue', 'click', function () {
    if (busy || finished || lost) return;
    setBusy(true);
    // A Continue pressed while the camera is still starting waits for it, so the face photo is not
    // skipped. Without a camera (or a frame) the flow goes on without the photo, as the server allows.
    cameraSettled()
      .then(function () {
        return stream ? grabFrame() : null;
      })
      .catch(function () {
        return null;
      })
      .then(function (/** @type {Blob | null} */ blob) {
        setBusy(false);
        if (!blob) return next();
        var photo = blob;
        submitImage(
          'selfie',
          function () {
            return Promise.resolve(photo);
          },
          'selfie.jpg',
        );
      });
  });
  on('face-action-done', 'click', function () {
    if (!busy && !finished && !lost) next();
  });
  on('tester-apply', 'click', function () {
    chooseOutcome(element('tester-outcome', HTMLSelectElement).value);
  });
  on('tester-analysis-error', 'click', function () {
    chooseOutcome('provider_error');
  });
  on('tester-camera-denied', 'click', function () {
    cameraDenied = true;
    stopCamera();
    if (current !== null && isCapture(current)) startCamera('user');
    else root.setAttribute('data-camera', 'denied');
  });
  window.addEventListener('pagehide', stopCamera);

  // Start where the server says the session is.
  connection('ok');
  if (cfg.initialStep === 'done' && cfg.redirect) finish(cfg.redirect, cfg.frame.message);
  else if (cfg.initialStep === 'mobile') showMobile();
  else {
    show(cfg.initialStep, false);
    if (cfg.initialStep === 'analyzing') analysisRequested = true;
    poll(cfg.initialStep === 'analyzing' ? 0 : POLL_MS.idle);
  }
})();
