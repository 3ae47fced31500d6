/* Opens a protected page of a pupil's guide: password → PBKDF2-HMAC-SHA256 → AES-256-GCM.
   Inlined into every protected page, so it works opened straight from a folder (file://)
   with no other file and no network. transition_booklets/protect.py writes the pages and
   decrypt_page() there mirrors this script step by step: keep the two in step.

   The password is never stored. The derived key is kept in sessionStorage for this visit
   only (this tab, until it is closed), under the page's salt: every page of one pupil's
   guide shares one salt, so moving between pages does not ask again, and a rebuilt guide
   (a new salt) asks once more. */
(function () {
  "use strict";

  var STORE_PREFIX = "tb-protect-key:";

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

  function remember(raw) {
    try { sessionStorage.setItem(storeKey, toBase64(raw)); } catch (error) { /* storage off: ask on each page */ }
  }
  function recall() {
    try { return sessionStorage.getItem(storeKey); } catch (error) { return null; }
  }
  function forget() {
    try { sessionStorage.removeItem(storeKey); } catch (error) { /* nothing kept */ }
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

  function decrypt(raw) {
    return subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["decrypt"]).then(function (key) {
      return subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(params.nonce), tagLength: 128 },
        key,
        fromBase64(byId("tb-protect-data").textContent)
      );
    }).then(function (plain) {
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
  function show(html) {
    return loaded.then(function () {
      document.open();
      document.write(html);
      document.close();
      if (location.hash.length > 1) {
        var target = null;
        try { target = document.getElementById(decodeURIComponent(location.hash.slice(1))); } catch (error) { /* bad hash */ }
        if (target) target.scrollIntoView();
      }
    });
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
    status.textContent = "";
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
      return decrypt(raw).then(function (html) {
        remember(raw);
        return show(html);
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
