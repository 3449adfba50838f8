(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "valueloop.report.lang";
  var LANGS = { en: "en", zh: "zh-Hans" };

  function stored() {
    // Storage can be refused (file:// in some browsers, private windows): then nothing is kept.
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function store(lang) {
    try { window.localStorage.setItem(KEY, lang); } catch (e) { /* the choice lasts this view */ }
  }
  function apply(lang) {
    if (!Object.prototype.hasOwnProperty.call(LANGS, lang)) { return; }
    root.setAttribute("lang", LANGS[lang]);
    var title = root.getAttribute("data-title-" + lang);
    if (title) { document.title = title; }
    var buttons = document.querySelectorAll("button[data-lang]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-lang") === lang));
    }
  }
  function current() {
    return root.getAttribute("lang").indexOf("zh") === 0 ? "zh" : "en";
  }

  root.className = root.className.replace(/\bno-js\b/, "js");
  // A ?lang= in the address wins over the remembered choice, so a link can pick the language.
  var asked = /[?&]lang=(en|zh)(?:&|$)/.exec(window.location.search);
  var first = asked ? asked[1] : stored();
  if (first) { apply(first); }
  document.addEventListener("DOMContentLoaded", function () { apply(current()); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-lang]") : null;
    if (!button) { return; }
    var lang = button.getAttribute("data-lang");
    apply(lang);
    store(lang);
  });
})();
