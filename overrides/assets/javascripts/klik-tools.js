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
  var added = {};

  function addInOrder(names) {
    var name = names[0];
    if (!name) return;
    if (added[name]) {
      addInOrder(names.slice(1));
      return;
    }
    added[name] = true;
    var script = document.createElement("script");
    script.src = base + name;
    script.addEventListener("load", function () { addInOrder(names.slice(1)); });
    document.body.appendChild(script);
  }

  function check() {
    TOOLS.forEach(function (tool) {
      if (document.querySelector(tool[0])) addInOrder(tool[1]);
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(check);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", check);
  } else {
    check();
  }
})();
