// The scan UI's one script: shows one step at a time (data-step on the root), drives the camera or
// the file upload, and talks to the UI API under /v3/scan/ui/<id>/ (authorised by the page's cookie).
(function () {
  'use strict';
  var root = document.getElementById('zsm');
  var cfg = JSON.parse(document.getElementById('zsm-config').textContent);
  var S = cfg.strings;
  var steps = cfg.steps;
  var sections = Array.prototype.slice.call(document.querySelectorAll('[data-step-name]'));
  var video = byId('video');
  var current = null;
  var stream = null;
  var streamFacing = null;
  var cameraDenied = false;
  var busy = false;
  var finished = false;
  var pollTimer = null;
  var polling = false;
  var analysisRequested = false;

  function byId(id) {
    return document.getElementById(id);
  }
  function on(id, event, handler) {
    var el = byId(id);
    if (el) el.addEventListener(event, handler);
  }
  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }
  function say(text) {
    byId('message').textContent = text || '';
  }
  function isCapture(name) {
    return steps.indexOf(name) >= 0;
  }

  function request(method, path, body) {
    var options = { method: method, credentials: 'same-origin', headers: { accept: 'application/json' } };
    if (body instanceof FormData) options.body = body;
    else if (body !== undefined) {
      options.body = JSON.stringify(body);
      options.headers['content-type'] = 'application/json';
    }
    return fetch(cfg.api + path, options).then(function (res) {
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (json) {
          if (!res.ok) {
            var first = json.errors && json.errors[0];
            var error = new Error(first ? first.description : 'HTTP ' + res.status);
            error.status = res.status;
            throw error;
          }
          return json;
        });
    });
  }

  // Steps ------------------------------------------------------------------------------------
  function show(name, focus) {
    current = name;
    root.setAttribute('data-step', name);
    var active = null;
    sections.forEach(function (section) {
      var match = section.getAttribute('data-step-name') === name;
      section.hidden = !match;
      if (match) active = section;
    });
    if (!active) return;
    var counter = active.querySelector('[data-counter]');
    if (counter) counter.textContent = fmt(S.stepOf, { n: steps.indexOf(name) + 1, total: steps.length });
    var slot = active.querySelector('[data-capture-slot]');
    var capture = byId('capture');
    if (slot) {
      slot.appendChild(capture);
      capture.hidden = false;
      byId('doc-controls').hidden = name.indexOf('document') !== 0;
    } else {
      capture.hidden = true;
    }
    say('');
    if (name.indexOf('document') === 0) startCamera('environment');
    else if (name.indexOf('face') === 0) startCamera('user');
    else stopCamera();
    if (focus !== false) {
      var heading = active.querySelector('h1');
      if (heading) heading.focus();
    }
  }

  function next() {
    var index = steps.indexOf(current);
    if (index >= 0 && index + 1 < steps.length) show(steps[index + 1]);
    else startAnalysis();
  }

  function setBusy(value) {
    busy = value;
    root.setAttribute('aria-busy', value ? 'true' : 'false');
    var active = document.querySelector('[data-step-name="' + current + '"]');
    if (!active) return;
    Array.prototype.forEach.call(active.querySelectorAll('button, input'), function (el) {
      el.disabled = value;
    });
  }

  // Camera -----------------------------------------------------------------------------------
  function cameraState(state, text) {
    root.setAttribute('data-camera', state);
    byId('camera-notice').textContent = text || '';
    var live = state === 'on';
    // The viewfinder keeps its place while the camera starts, so the controls below it do not
    // jump under a finger (or a test's click) when the preview appears.
    var reserved = live || state === 'starting';
    byId('viewfinder').hidden = !reserved;
    byId('camera-capture').hidden = !reserved;
    byId('camera-capture').disabled = !live;
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

  function cameraOff(reason) {
    var face = current && current.indexOf('face') === 0;
    var text = face ? S.faceNoCamera : reason === 'denied' ? S.cameraDenied : S.cameraUnavailable;
    cameraState(reason, text);
  }

  function startCamera(facing) {
    if (cameraDenied) return cameraOff('denied');
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return cameraOff('unavailable');
    if (stream && streamFacing === facing) return cameraState('on');
    stopCamera();
    cameraState('starting', S.cameraStarting);
    var wanted = current;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: facing, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false }).then(
      function (media) {
        if (cameraDenied || current !== wanted || finished) {
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
      function (error) {
        if (current !== wanted) return;
        cameraOff(error && (error.name === 'NotAllowedError' || error.name === 'SecurityError') ? 'denied' : 'unavailable');
      },
    );
  }

  function videoReady() {
    return new Promise(function (resolve) {
      if (video.readyState >= 2 && video.videoWidth > 0) return resolve();
      video.addEventListener('loadeddata', resolve, { once: true });
    });
  }

  function grabFrame() {
    return videoReady().then(function () {
      return new Promise(function (resolve, reject) {
        var scale = Math.min(1, 1280 / video.videoWidth);
        var canvas = document.createElement('canvas');
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
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
  function upload(side, blob, name) {
    var form = new FormData();
    form.append('document', blob, name || side + '.jpg');
    return request('POST', '/documents?side=' + side, form);
  }

  function submitDocument(getBlob, name) {
    if (busy || finished) return;
    var side = current === 'document-back' ? 'back' : 'front';
    setBusy(true);
    say(S.uploading);
    getBlob()
      .then(function (blob) {
        return upload(side, blob, name);
      })
      .then(
        function () {
          setBusy(false);
          next();
        },
        function (error) {
          setBusy(false);
          say(fmt(S.uploadFailed, { reason: error.message }));
        },
      );
  }

  // Analysis, state and the end --------------------------------------------------------------
  function startAnalysis() {
    show('analyzing');
    if (!analysisRequested) {
      analysisRequested = true;
      request('POST', '/analysis').catch(function (error) {
        say(fmt(S.errorGeneric, { reason: error.message }));
      });
    }
    poll(0);
  }

  // One state request at a time; an urgent poll (delay 0) replaces a slower one still waiting.
  function poll(delay) {
    if (finished || polling) return;
    if (pollTimer !== null) {
      if (delay !== 0) return;
      clearTimeout(pollTimer);
    }
    pollTimer = setTimeout(function () {
      pollTimer = null;
      polling = true;
      // A failed request or a surprise in handleState must not stop the polling for good.
      request('GET', '/state').then(handleState).catch(function () {}).then(function () {
        polling = false;
        poll(current === 'analyzing' || current === 'mobile' ? 250 : 1000);
      });
    }, delay);
  }

  function handleState(state) {
    root.setAttribute('data-status', state.status);
    if (state.redirect) return finish(state.redirect.url, state.frame_message);
    if (current === 'analyzing' && state.remaining_ms !== null && state.duration_ms) {
      setProgress(Math.max(0, Math.min(100, Math.round(100 * (1 - state.remaining_ms / state.duration_ms)))));
    }
    if (cfg.role === 'desktop') {
      var status = byId('mobile-status');
      if (status && status.getAttribute('data-mobile') !== state.mobile) {
        status.setAttribute('data-mobile', state.mobile);
        status.textContent = state.mobile === 'opened' ? S.mobileOpened : S.mobileWaiting;
      }
      if (state.analyzing && current !== 'analyzing') show('analyzing');
    }
  }

  function setProgress(percent) {
    byId('progress-bar').style.width = percent + '%';
    byId('progress').setAttribute('aria-valuenow', String(percent));
  }

  // Framed by the merchant's page: tell it how the flow ended, as ZignSec's scanning UI does
  // (window.postMessage), to the merchant origins the server named only.
  function notifyParent(message) {
    if (!message || window.parent === window) return;
    cfg.frame.targets.forEach(function (origin) {
      try {
        window.parent.postMessage(message, origin);
      } catch (error) {
        // An origin the browser refuses to post to: nothing to tell there.
      }
    });
  }

  function finish(url, message) {
    if (finished) return;
    finished = true;
    stopCamera();
    if (current === 'analyzing') setProgress(100);
    if (cfg.role === 'mobile') return show('mobile-done');
    notifyParent(message);
    show('done');
    var link = byId('done-continue');
    link.href = url;
    root.setAttribute('data-redirect', url);
    window.location.assign(url);
  }

  function cancel() {
    if (finished) return;
    request('POST', '/cancel').then(
      function (state) {
        if (state.redirect) finish(state.redirect.url, state.frame_message);
      },
      function () {
        poll(0);
      },
    );
  }

  // Mobile hand-off (desktop) ----------------------------------------------------------------
  function showMobile() {
    show('mobile');
    request('POST', '/mobile-link').then(
      function (link) {
        var img = byId('mobile-qr');
        img.src = link.qr;
        img.hidden = false;
        var a = byId('mobile-link');
        a.href = link.url;
        a.textContent = link.url;
        a.setAttribute('data-reach', link.reach);
        showOtherLinks(link.other_urls || []);
      },
      function (error) {
        say(fmt(S.errorGeneric, { reason: error.message }));
      },
    );
    poll(0);
  }

  // The same phone link at this computer's other network addresses, for a phone the first one does not reach.
  function showOtherLinks(urls) {
    var list = byId('mobile-more-list');
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
    byId('mobile-more').hidden = urls.length === 0;
  }

  function firstStep() {
    if (steps.length > 0) show(steps[0]);
    else startAnalysis();
  }

  // Tester panel -----------------------------------------------------------------------------
  function chooseOutcome(name) {
    request('POST', '/tester/outcome', { outcome: name }).then(
      function (result) {
        byId('tester-message').textContent = fmt(result.applied ? S.testerApplied : S.testerLocked, { name: result.outcome.name, rule: result.outcome.rule });
        byId('tester-message').setAttribute('data-applied', String(result.applied));
        document.querySelector('[data-testid="tester-current-outcome"]').textContent = result.outcome.name + ' (' + result.outcome.rule + ')';
      },
      function (error) {
        byId('tester-message').textContent = fmt(S.errorGeneric, { reason: error.message });
      },
    );
  }

  // Wiring -----------------------------------------------------------------------------------
  on('start-browser', 'click', firstStep);
  on('start-mobile', 'click', showMobile);
  on('mobile-back', 'click', firstStep);
  on('cancel', 'click', cancel);
  on('camera-capture', 'click', function () {
    if (root.getAttribute('data-camera') !== 'on') return;
    submitDocument(grabFrame, (current === 'document-back' ? 'back' : 'front') + '.jpg');
  });
  on('file-input', 'change', function (event) {
    var input = event.target;
    var file = input.files && input.files[0];
    if (!file) return;
    submitDocument(function () {
      return Promise.resolve(file);
    }, file.name);
    input.value = '';
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-sample]'), function (button) {
    button.addEventListener('click', function () {
      var name = button.getAttribute('data-sample');
      submitDocument(function () {
        return fetch(cfg.samplesBase + name).then(function (res) {
          if (!res.ok) throw new Error('HTTP ' + res.status);
          return res.blob();
        });
      }, name);
    });
  });
  /** Resolves once the camera has started or given up (at most a few seconds), never while it is starting. */
  function cameraSettled() {
    return new Promise(function (resolve) {
      var waited = 0;
      (function check() {
        if (root.getAttribute('data-camera') !== 'starting' || waited >= 5000) return resolve();
        waited += 50;
        setTimeout(check, 50);
      })();
    });
  }

  on('face-align-continue', 'click', function () {
    if (busy || finished) return;
    setBusy(true);
    // A Continue pressed while the camera is still starting waits for it, so the face photo is not skipped.
    cameraSettled()
      .then(function () {
        if (!stream) return undefined;
        return grabFrame().then(function (blob) {
          return upload('selfie', blob, 'selfie.jpg');
        });
      })
      .catch(function () {})
      .then(function () {
        setBusy(false);
        next();
      });
  });
  on('face-action-done', 'click', function () {
    if (!busy && !finished) next();
  });
  on('tester-apply', 'click', function () {
    chooseOutcome(byId('tester-outcome').value);
  });
  on('tester-analysis-error', 'click', function () {
    chooseOutcome('provider_error');
  });
  on('tester-camera-denied', 'click', function () {
    cameraDenied = true;
    stopCamera();
    if (isCapture(current)) startCamera('user');
    else root.setAttribute('data-camera', 'denied');
  });
  window.addEventListener('pagehide', stopCamera);

  // Start where the server says the session is.
  if (cfg.initialStep === 'done' && cfg.redirect) finish(cfg.redirect, cfg.frame.message);
  else if (cfg.initialStep === 'mobile') showMobile();
  else {
    show(cfg.initialStep, false);
    if (cfg.initialStep === 'analyzing') analysisRequested = true;
    poll(cfg.initialStep === 'analyzing' ? 0 : 1000);
  }
})();
