/* Stage checklists (the page /alat/daftar-periksa/): progress saved in localStorage.
 *
 * The checkboxes are rendered at build time from stages.yml; this script only restores
 * and saves their state, counts progress, and wires the print and reset buttons.
 * Initialises on every Material `document$` emission (instant navigation).
 */
(function () {
  "use strict";
  if (window.__klikChecklistLoaded) return;
  window.__klikChecklistLoaded = true;

  function load(key) {
    try {
      var v = JSON.parse(window.localStorage.getItem(key) || "null");
      return v && typeof v === "object" && v.version === 1 && v.checked && typeof v.checked === "object" ? v : null;
    } catch (e) { return null; }
  }

  function save(key, state) {
    try { window.localStorage.setItem(key, JSON.stringify(state)); return true; } catch (e) { return false; }
  }

  function init() {
    var root = document.querySelector("[data-klik-checklist]");
    if (!root || root.getAttribute("data-ready") === "true") return;
    root.setAttribute("data-ready", "true");
    var key = root.getAttribute("data-storage-key") || "klik-daftar-periksa:v1";
    var state = load(key) || { version: 1, checked: {} };
    // The stage lists follow the controls as siblings (their headings are Markdown), so look page-wide.
    var scope = root.closest("article") || document;
    var boxes = Array.prototype.slice.call(scope.querySelectorAll("input[type=checkbox][data-item]"));
    var total = root.querySelector("[data-role=total]");
    var note = root.querySelector("[data-role=note]");

    function progress() {
      var all = 0, done = 0;
      scope.querySelectorAll("[data-progress]").forEach(function (p) {
        var stage = p.getAttribute("data-progress");
        var mine = boxes.filter(function (b) { return b.getAttribute("data-item").split("/")[0] === stage; });
        var ticked = mine.filter(function (b) { return b.checked; }).length;
        all += mine.length;
        done += ticked;
        p.textContent = ticked + " dari " + mine.length + " butir selesai";
        var meter = p.parentNode.querySelector("progress");
        if (meter) { meter.max = mine.length; meter.value = ticked; }
      });
      if (total) total.textContent = "Semua tahap: " + done + " dari " + all + " butir selesai.";
    }

    boxes.forEach(function (b) {
      b.checked = state.checked[b.getAttribute("data-item")] === true;
      b.addEventListener("change", function () {
        if (b.checked) state.checked[b.getAttribute("data-item")] = true;
        else delete state.checked[b.getAttribute("data-item")];
        if (!save(key, state) && note) {
          note.textContent = "Peramban ini tidak mengizinkan penyimpanan lokal: centang hilang bila halaman ditutup.";
        }
        progress();
      });
    });
    var toolbar = root.querySelector("[data-role=toolbar]");
    if (toolbar) toolbar.hidden = false;
    var printBtn = root.querySelector("[data-action=print]");
    if (printBtn) printBtn.addEventListener("click", function () { window.print(); });
    var resetBtn = root.querySelector("[data-action=reset]");
    if (resetBtn) {
      resetBtn.addEventListener("click", function () {
        if (!window.confirm("Kosongkan semua centang di daftar periksa ini?")) return;
        state = { version: 1, checked: {} };
        boxes.forEach(function (b) { b.checked = false; });
        save(key, state);
        progress();
        if (boxes.length) boxes[0].focus();
      });
    }
    progress();
  }

  // Loaded by klik-tools.js after the page is up: start now, and on every later page swap.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
