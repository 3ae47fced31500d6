/* Opens a protected page of a pupil's guide: password → PBKDF2-HMAC-SHA256 → AES-256-GCM.
   Inlined into every protected page, so it works opened straight from a folder (file://)
   with no other file and no network. transition_booklets/protect/encrypt.py writes the pages
   and decrypt_page() / decrypt_file() there mirror this script step by step: keep them in step.

   A sealed page ("kind": "page") replaces this one in place. A sealed file ("kind": "file",
   the booklet) is offered to open or save, made here in the browser.

   The password is never stored. The derived key is kept in sessionStorage for this tab only,
   under the page's salt, with the time the guide was last used: every page of one pupil's
   guide shares one salt, so moving between pages does not ask again, and a rebuilt guide
   (a new salt) asks once more. After params.idle seconds without a tap, key press or scroll
   the key is forgotten and the page closes itself; "Close my guide" does the same at once. */
(function () {
  "use strict";

  var STORE_PREFIX = "tb-protect-key:";
  var CLOSED = "tb-protect-closed";  /* why the guide was closed, for the next unlock page to say */
  var TOUCH_EVERY_MS = 15000;  /* the last-used time is written at most this often */

  function byId(id) { return document.getElementById(id); }

  function readJson(id) { return JSON.parse(byId(id).textContent); }

  /* Base64 text → bytes; white space is ignored (as in atob and in protect.py). */
  function fromBase64(text) {
    var binary = atob(text.replace(/\s+/g, ""));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function toBase64(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  /* As normalise_password() in passwords.py: Unicode NFC, lower case, and any run of spaces,
     dashes, dots or underscores as one dash ("Otter maple brisk lantern 7" opens otter-maple-…). */
  function normalise(password) {
    var text = (password.normalize ? password.normalize("NFC") : password).toLowerCase();
    return text.replace(/[\s\-_.]+/g, "-").replace(/^-+|-+$/g, "");
  }

  var params = readJson("tb-protect-params");
  var words = readJson("tb-protect-words");
  var storeKey = STORE_PREFIX + params.salt;
  var form = byId("tb-protect-form");
  var input = byId("tb-protect-password");
  var toggle = byId("tb-protect-toggle");
  var submit = byId("tb-protect-submit");
  var message = byId("tb-protect-message");
  var status = byId("tb-protect-status");
  var subtle = window.crypto && window.crypto.subtle;

  var idleMs = Math.max(60, Number(params.idle) || 1800) * 1000;
  var lastTouched = 0;

  function remember(raw) {
    try {
      sessionStorage.setItem(storeKey, JSON.stringify({ key: toBase64(raw), used: Date.now() }));
    } catch (error) { /* storage off: ask on each page */ }
  }
  /* The kept key (base64), or null when there is none or it has been idle too long. */
  function recall() {
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(storeKey) || "null"); } catch (error) { kept = null; }
    if (!kept || typeof kept.key !== "string" || typeof kept.used !== "number") {
      forget();  /* nothing kept, or an entry this script did not write */
      return null;
    }
    if (Date.now() - kept.used > idleMs) {
      forgetAll("idle");
      return null;
    }
    return kept.key;
  }
  function touch() {
    var now = Date.now();
    if (now - lastTouched < TOUCH_EVERY_MS) return;
    var kept = recall();
    if (!kept) return;
    lastTouched = now;
    try { sessionStorage.setItem(storeKey, JSON.stringify({ key: kept, used: now })); } catch (error) { /* kept as it was */ }
  }
  function forget() {
    try { sessionStorage.removeItem(storeKey); } catch (error) { /* nothing kept */ }
  }
  /* Every kept key of every guide in this tab, and why, for the unlock page that comes next. */
  function forgetAll(why) {
    try {
      for (var i = sessionStorage.length - 1; i >= 0; i -= 1) {
        var name = sessionStorage.key(i);
        if (name && name.indexOf(STORE_PREFIX) === 0) sessionStorage.removeItem(name);
      }
      if (why) sessionStorage.setItem(CLOSED, why);
    } catch (error) { /* nothing kept */ }
  }
  function closedBecause() {
    var why = null;
    try { why = sessionStorage.getItem(CLOSED); sessionStorage.removeItem(CLOSED); } catch (error) { why = null; }
    return why;
  }

  /* Close the guide: forget the key and show the password form again in place of the guide. */
  function closeGuide(why) {
    forgetAll(why);
    window.location.reload();
  }

  /* While the guide is open: a tap, key press or scroll keeps it open; a check every few
     seconds (and on coming back to the tab) closes it once it has been idle too long; the
     "Close my guide" button closes it at once; a page brought back from the browser's
     history cache with no key closes too. */
  function watchWhileOpen(closeButton) {
    var activity = ["pointerdown", "keydown", "scroll", "touchstart", "wheel"];
    activity.forEach(function (name) {
      document.addEventListener(name, touch, { capture: true, passive: true });
    });
    function check() {
      if (!recall()) closeGuide("idle");
    }
    window.setInterval(check, 5000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") check();
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) check();
    });
    if (closeButton) {
      closeButton.hidden = false;
      closeButton.addEventListener("click", function () { closeGuide("button"); });
    }
  }

  function deriveKey(password) {
    var secret = new TextEncoder().encode(normalise(password));
    return subtle.importKey("raw", secret, "PBKDF2", false, ["deriveBits"]).then(function (material) {
      return subtle.deriveBits(
        { name: "PBKDF2", hash: "SHA-256", salt: fromBase64(params.salt), iterations: params.iterations },
        material,
        256
      );
    }).then(function (bits) { return new Uint8Array(bits); });
  }

  /* The sealed content: a page's text, or a file's bytes. */
  function decrypt(raw) {
    return subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["decrypt"]).then(function (key) {
      return subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(params.nonce), tagLength: 128 },
        key,
        fromBase64(byId("tb-protect-data").textContent)
      );
    }).then(function (plain) {
      if (params.kind === "file") return plain;
      return new TextDecoder("utf-8", { fatal: true }).decode(plain);
    });
  }

  /* This page must have finished loading before it is replaced: document.open() on a page
     still loading stops that load, and with it the scripts the opened page asks for. */
  var loaded = new Promise(function (resolve) {
    function next() { window.setTimeout(resolve, 0); }
    if (document.readyState === "complete") next();
    else window.addEventListener("load", next);
  });

  /* Replace this page with the opened one; its own scripts and styles run as usual. */
  function showPage(html) {
    return loaded.then(function () {
      document.open();
      document.write(html);
      document.close();
      /* The parser may still be waiting for a stylesheet here: look at the page once it is all there. */
      return new Promise(function (resolve) {
        if (document.readyState !== "loading") resolve();
        else document.addEventListener("DOMContentLoaded", function () { resolve(); });
      });
    }).then(function () {
      if (location.hash.length > 1) {
        var target = null;
        try { target = document.getElementById(decodeURIComponent(location.hash.slice(1))); } catch (error) { /* bad hash */ }
        if (target) target.scrollIntoView();
      }
      watchWhileOpen(document.querySelector("[data-tb-close-guide]"));
    });
  }

  /* Offer the opened file (the booklet) to open in the browser's viewer or to save. */
  function showFile(bytes) {
    var url = URL.createObjectURL(new Blob([bytes], { type: params.type || "application/octet-stream" }));
    form.hidden = true;
    byId("tb-protect-intro").hidden = true;
    byId("tb-protect-file-open").href = url;
    byId("tb-protect-file-save").href = url;
    byId("tb-protect-file").hidden = false;
    byId("tb-protect-heading").textContent = words.file_ready;
    status.textContent = "";
    byId("tb-protect-file-open").focus();
    watchWhileOpen(byId("tb-protect-close"));
    return Promise.resolve();
  }

  function show(opened) {
    return params.kind === "file" ? showFile(opened) : showPage(opened);
  }

  function say(text) {
    message.textContent = "";
    /* Emptied first and refilled a moment later, so a screen reader announces a repeated message again. */
    window.setTimeout(function () { message.textContent = text; }, 50);
  }

  function busy(on) {
    submit.disabled = on;
    status.textContent = on ? words.working : "";
  }

  function showForm() {
    var why = closedBecause();
    status.textContent = why === "idle" ? words.idle_closed : why ? words.closed : "";
    form.hidden = false;
  }

  if (!subtle || !window.TextEncoder || !window.TextDecoder) {
    status.textContent = "";
    byId("tb-protect-no-crypto").hidden = false;
    return;
  }

  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var showing = input.type === "text";
    input.type = showing ? "password" : "text";
    toggle.textContent = showing ? words.show : words.hide;
    input.focus();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!normalise(input.value)) {
      input.setAttribute("aria-invalid", "true");
      say(words.empty);
      input.focus();
      return;
    }
    busy(true);
    deriveKey(input.value).then(function (raw) {
      return decrypt(raw).then(function (opened) {
        remember(raw);
        busy(false);
        return show(opened);
      });
    }).catch(function (error) {
      busy(false);
      input.setAttribute("aria-invalid", "true");
      say(error && error.name === "OperationError" ? words.wrong : words.failed);
      input.focus();
      input.select();
    });
  });

  var kept = recall();
  if (kept) {
    status.textContent = words.working;
    var raw;
    try { raw = fromBase64(kept); } catch (error) { raw = null; }
    (raw ? decrypt(raw) : Promise.reject(new Error("bad key"))).then(show).catch(function () {
      forget();  /* a rebuilt guide, or a damaged entry: ask again */
      showForm();
    });
  } else {
    showForm();
  }
})();
