/* Reading preferences, read-aloud, the countdown and today's timetable.
   Plain JavaScript with no other files and no network: works from a folder (file://). */
(function () {
  "use strict";
  var KEY = "tb-preferences";
  var root = document.documentElement;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (error) { return {}; }
  }
  function save(preferences) {
    try { localStorage.setItem(KEY, JSON.stringify(preferences)); } catch (error) { /* private mode */ }
  }
  function apply(preferences) {
    ["size", "spacing", "font", "scheme"].forEach(function (key) {
      var value = preferences[key];
      if (value && value !== "normal" && value !== "default") root.setAttribute("data-tb-" + key, value);
      else root.removeAttribute("data-tb-" + key);
    });
  }

  function setUpPreferences() {
    var preferences = load();
    apply(preferences);
    document.querySelectorAll("[data-tb-preferences]").forEach(function (form) {
      form.querySelectorAll("input").forEach(function (input) {
        var value = preferences[input.name];
        if (input.type === "checkbox") input.checked = value === input.value;
        else if (value) input.checked = input.value === value;
        input.addEventListener("change", function () {
          if (input.type === "checkbox") preferences[input.name] = input.checked ? input.value : "normal";
          else if (input.checked) preferences[input.name] = input.value;
          apply(preferences);
          save(preferences);
        });
      });
    });
  }

  function setUpReadAloud() {
    var button = document.querySelector("[data-tb-read-aloud]");
    if (!button || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") return;
    button.hidden = false;
    /* One name ("Read this page aloud") and a pressed state: a screen reader announces it once,
       "pressed" while it reads. The picture on the button shows a stop sign then. */
    function setReading(reading) {
      button.setAttribute("aria-pressed", reading ? "true" : "false");
    }
    button.addEventListener("click", function () {
      if (window.speechSynthesis.speaking) {
        window.speechSynthesis.cancel();
        setReading(false);
        return;
      }
      var article = document.querySelector(".md-content__inner");
      if (!article) return;
      var copy = article.cloneNode(true);
      copy.querySelectorAll(".tb-toolbar, [aria-hidden='true'], script, style").forEach(function (node) {
        node.remove();
      });
      var utterance = new SpeechSynthesisUtterance(copy.innerText.replace(/\s+/g, " ").trim());
      utterance.lang = root.lang || "en";
      utterance.rate = 0.9;
      utterance.onend = function () { setReading(false); };
      utterance.onerror = function () { setReading(false); };
      setReading(true);
      window.speechSynthesis.speak(utterance);
    });
  }

  /* Material's menu button is a <label> for a hidden checkbox, which a keyboard cannot reach
     (Material's own script is left out). Swap it for a real button: Tab reaches it, Enter or
     Space opens the list of pages and moves into it, Escape closes it and returns to the button. */
  function setUpMenu() {
    var toggle = document.getElementById("__drawer");
    var label = document.querySelector('.md-header label[for="__drawer"]');
    var drawer = document.querySelector(".md-sidebar--primary");
    var words = document.querySelector("[data-tb-menu]");
    if (!toggle || !label || !drawer) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = label.className + " tb-menu-button";
    button.innerHTML = label.innerHTML;
    drawer.id = drawer.id || "tb-menu";
    button.setAttribute("aria-controls", drawer.id);
    if (words) button.setAttribute("aria-label", words.getAttribute("data-tb-menu"));
    label.replaceWith(button);

    function sync() { button.setAttribute("aria-expanded", toggle.checked ? "true" : "false"); }
    function setOpen(open, moveFocus) {
      toggle.checked = open;
      sync();
      if (open && moveFocus) {
        var first = drawer.querySelector(".md-nav__link--active") || drawer.querySelector("a[href]");
        if (first) first.focus();
      }
    }
    button.addEventListener("click", function (event) {
      /* detail is 0 when Enter or Space pressed the button: then move into the list */
      setOpen(!toggle.checked, event.detail === 0);
    });
    toggle.addEventListener("change", sync);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.checked) {
        setOpen(false);
        button.focus();
      }
    });
    drawer.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (toggle.checked && next && !drawer.contains(next) && next !== button) setOpen(false);
    });
    sync();
  }

  function startOfDay(date) {
    return new Date(date.getFullYear(), date.getMonth(), date.getDate());
  }
  function parseDay(text) {
    var parts = text.split("-");
    return new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
  }

  function setUpCountdowns() {
    var today = startOfDay(new Date());
    document.querySelectorAll("[data-tb-countdown]").forEach(function (element) {
      var days = Math.round((parseDay(element.getAttribute("data-tb-date")) - today) / 86400000);
      var template = null;
      if (days > 1) template = element.getAttribute("data-tb-many");
      else if (days === 1) template = element.getAttribute("data-tb-tomorrow");
      else if (days === 0) template = element.getAttribute("data-tb-today");
      if (template) {
        element.textContent = template.replace("{days}", String(days));
        element.hidden = false;
      }
    });
  }

  /* "Today" is marked only where it is true: on today's weekday, in the timetable of the phase
     that is on today (or, with no phases, the one timetable), and never before the first day.
     Between phases, or before the first one starts, no day is today. */
  function setUpToday() {
    var now = new Date();
    var weekday = (now.getDay() + 6) % 7; /* Monday is 0, as in the pages */
    var today = startOfDay(now);
    var current = null;
    var phases = document.querySelectorAll("[data-tb-from]");
    phases.forEach(function (phase) {
      var from = parseDay(phase.getAttribute("data-tb-from"));
      var to = phase.getAttribute("data-tb-to") ? parseDay(phase.getAttribute("data-tb-to")) : null;
      if (from <= today && (!to || today <= to)) current = phase;
    });
    if (current) current.classList.add("tb-current");
    var start = document.querySelector("[data-tb-start]");
    if (start && today < parseDay(start.getAttribute("data-tb-start"))) return;
    var scope = current || (phases.length === 0 ? document : null);
    if (!scope) return;
    scope.querySelectorAll("[data-tb-weekday='" + weekday + "']").forEach(function (day) {
      day.classList.add("tb-today");
      var badge = day.querySelector("[data-tb-today-badge]");
      if (badge) badge.hidden = false;
      if (day.tagName === "DETAILS") day.open = true;
    });
  }

  function ready() {
    setUpMenu();
    setUpPreferences();
    setUpReadAloud();
    setUpCountdowns();
    setUpToday();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
