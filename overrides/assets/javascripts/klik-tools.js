/* Loads the tools' scripts only on pages that have a tool, so other pages carry ~1 KB
 * instead of the calculator. Runs on every page swap of Material's instant navigation;
 * each script is added once (same origin, so a `script-src 'self'` policy allows it). */
(function () {
  "use strict";
  if (window.__klikToolsLoader) return;
  window.__klikToolsLoader = true;

  var me = document.currentScript;
  var base = me && me.src ? me.src.replace(/[^/]*$/, "") : "";
  var TOOLS = [
    ["[data-klik-iid]", ["klik-iid-core.js", "klik-iid.js"]],
    ["[data-klik-checklist]", ["klik-checklist.js"]]
  ];
  var loading = {};  // script name -> Promise of its load, so each is added once

  function load(name) {
    if (!loading[name]) {
      loading[name] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = base + name;
        script.addEventListener("load", resolve);
        script.addEventListener("error", function (e) { delete loading[name]; reject(e); });
        document.body.appendChild(script);
      });
    }
    return loading[name];
  }

  /* Scripts that depend on the ones before them (the calculator needs its core). */
  function addInOrder(names) {
    names.reduce(function (previous, name) {
      return previous.then(function () { return load(name); });
    }, Promise.resolve()).catch(function () { /* the tool shows its own loading message */ });
  }

  /* The tools' stylesheet: in the head of a tool page that was loaded directly, added here
   * when instant navigation swaps a tool page in. */
  var STYLE_FOR = "[data-klik-iid], [data-klik-checklist], .klik-template";
  var cssHref = base.replace(/javascripts\/$/, "css/") + "klik-tools.css";

  function addStyles() {
    if (!document.querySelector(STYLE_FOR)) return;
    var present = Array.prototype.some.call(document.querySelectorAll("link[rel=stylesheet]"), function (l) {
      return /(^|\/)klik-tools\.css$/.test(l.getAttribute("href") || "");
    });
    if (present) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = cssHref;
    document.head.appendChild(link);
  }

  function check() {
    addStyles();
    TOOLS.forEach(function (tool) {
      if (document.querySelector(tool[0])) addInOrder(tool[1]);
    });
  }

  // Page swaps arrive through Material's document$; the first page (and pages opened from
  // file://, where the theme may not emit) through the document itself. check() is idempotent.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(check);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", check);
  } else {
    check();
  }
})();
