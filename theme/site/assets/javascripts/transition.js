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

  /* What is on the screen, as it is read: one part for each block a sighted pupil sees (a
     heading, a paragraph, a list item, a name, a role), in the order shown. Hidden things are
     left out (a "Today" badge on another day, the reading preferences), a link or picture that
     has a label is read by it (a map pin is "1: Reception", not "1"), a picture by its text
     alternative when it has one, and nothing is joined across blocks. */
  var SENTENCE = /[^.!?\u3002\u061F]+(?:[.!?\u3002\u061F]+["'\u201D\u2019)\]]*|$)\s*/g;

  function readingParts(article) {
    var parts = [];
    var words = "";
    var owner = null;
    var nodes = [];  /* the text nodes of the part; a label read in place of its text makes it not plain */
    var plain = true;
    function flush() {
      var text = words.replace(/\s+/g, " ").trim();
      if (/[\p{L}\p{N}]/u.test(text)) {
        if (plain && nodes.length === 1) {
          /* Plain text: a part for each sentence, so each can be marked as it is read. */
          var node = nodes[0];
          var value = node.nodeValue;
          var match;
          SENTENCE.lastIndex = 0;
          while ((match = SENTENCE.exec(value)) !== null && match[0] !== "") {
            var sentence = match[0].replace(/\s+/g, " ").trim();
            if (/[\p{L}\p{N}]/u.test(sentence)) {
              var start = match.index + (match[0].length - match[0].replace(/^\s+/, "").length);
              parts.push({ text: sentence, element: owner, node: node, start: start, end: start + match[0].trim().length });
            }
          }
        } else {
          parts.push({ text: text, element: owner });
        }
      }
      words = "";
      owner = null;
      nodes = [];
      plain = true;
    }
    function add(text, element, node) {
      if (!owner) owner = element;
      words += text;
      if (!node) plain = false;
      else if (text.trim()) nodes.push(node);
    }
    function walk(node, block) {
      if (node.nodeType === 3) { add(node.nodeValue, block, node); return; }
      if (node.nodeType !== 1) return;
      var element = node;
      if (element.tagName === "BR") { flush(); return; }  /* a new line is a new part, with a pause */
      if (element.matches(".tb-toolbar, script, style, template, [hidden], [aria-hidden='true'], .tb-hidden-text")) return;
      var style = window.getComputedStyle(element);
      if (style.display === "none" || style.visibility === "hidden") return;
      var label = element.getAttribute("aria-label");
      if (element.tagName === "IMG" || element.tagName === "svg" || element.getAttribute("role") === "img") {
        var said = element.tagName === "IMG" ? element.getAttribute("alt") : label;
        if (said) { flush(); parts.push({ text: said, element: element }); }
        return;
      }
      if (label && element.tagName === "A") { add(" " + label + " ", block, null); return; }
      var isBlock = !/^inline/.test(style.display) && style.display !== "contents";
      if (isBlock) flush();
      for (var child = element.firstChild; child; child = child.nextSibling) walk(child, isBlock ? element : block);
      if (isBlock) flush();
    }
    walk(article, article);
    flush();
    return parts;
  }

  function setUpReadAloud() {
    var button = document.querySelector("[data-tb-read-aloud]");
    if (!button || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") return;
    button.hidden = false;
    var parts = [];
    var next = 0;
    var reading = false;
    var shown = null;
    /* One name ("Read this page aloud") and a pressed state: a screen reader announces it once,
       "pressed" while it reads. Pressed again, it pauses; the next press goes on from there. */
    var marks = window.CSS && CSS.highlights && typeof Highlight === "function";
    function unmark() {
      if (shown) { shown.classList.remove("tb-reading"); shown = null; }
      if (marks) CSS.highlights.delete("tb-reading");
    }
    function setReading(on) {
      reading = on;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      if (!on) unmark();
    }
    /* The sentence being read is marked (a highlight over its words, where the browser can),
       else its whole block; and scrolled into view. */
    function mark(part) {
      unmark();
      if (marks && part.node) {
        var range = document.createRange();
        range.setStart(part.node, part.start);
        range.setEnd(part.node, part.end);
        CSS.highlights.set("tb-reading", new Highlight(range));
      } else if (part.element && part.element.classList) {
        shown = part.element;
        shown.classList.add("tb-reading");
      }
      if (part.element && part.element.scrollIntoView) part.element.scrollIntoView({ block: "nearest" });
    }
    function speakNext() {
      if (!reading) return;
      if (next >= parts.length) { next = 0; setReading(false); return; }
      var part = parts[next];
      mark(part);
      var utterance = new SpeechSynthesisUtterance(part.text);
      utterance.lang = root.lang || "en";
      utterance.rate = 0.9;
      utterance.onend = function () { next += 1; speakNext(); };
      utterance.onerror = function () { setReading(false); };
      window.speechSynthesis.speak(utterance);
    }
    button.addEventListener("click", function () {
      if (reading) {
        setReading(false);
        window.speechSynthesis.cancel();  /* paused: the next press goes on from this part */
        return;
      }
      var article = document.querySelector(".md-content__inner");
      if (!article) return;
      if (next === 0) parts = readingParts(article);
      setReading(true);
      speakNext();
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
