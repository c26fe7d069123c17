/* Klik search box (markup: overrides/partials/search-box.html).
 *
 * Pagefind's files are fetched only when the reader starts a search: opening
 * the box (click, "/" or "s", the phone button) loads them. The header, and so
 * this box, survives Material's instant navigation; the box closes on every
 * page swap. Results hide the index-only words (roots, synonyms) that the build
 * appends after the mark in cfg.mark. No inline code, no eval, no other host.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 5;            // results per batch: each one downloads its page text
  var EXCERPT_WORDS = 28;
  var DEBOUNCE_MS = 250;         // wait for a pause in typing before searching
  var MIN_CHARS = 2;            // "SK" yes, "s" no: one letter matches half the index

  var box = document.querySelector("[data-klik-search]");
  var toggle = document.getElementById("__search");
  if (!box || !toggle || box.hasAttribute("data-ready")) return;
  box.setAttribute("data-ready", "");

  var cfg = JSON.parse(box.querySelector("[data-klik-search-config]").textContent);
  var root = new URL(cfg.base.replace(/\/?$/, "/"), location.href);
  var openButton = document.querySelector("[data-klik-search-open]");
  var form = box.querySelector("[data-klik-search-form]");
  var input = box.querySelector("#klik-search-input");
  var status = box.querySelector("#klik-search-status");
  var list = box.querySelector("#klik-search-results");
  var parts = box.querySelector("[data-klik-search-parts]");
  var more = box.querySelector("[data-klik-search-more]");

  var pagefind = null;       // promise of the loaded Pagefind module
  var searchId = 0;          // the latest search; older answers are dropped
  var timer = 0;
  var results = [];
  var shown = 0;
  var part = "";             // selected part of the guide ("" = all)
  var returnFocus = null;
  var openedOn = "";         // the page the box was opened on

  function text(key, values) {
    return cfg.text[key].replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  function load() {
    if (!pagefind) {
      pagefind = import(new URL(cfg.bundle + "pagefind.js", root).href).then(function (pf) {
        // noWorker: searching this small index on the main thread is quick and
        // saves downloading pagefind-worker.js.
        return pf.options({ baseUrl: root.pathname, noWorker: true })
          .then(function () { return pf.init(); })
          .then(function () { return pf.filters(); })  // loads filter counts for the chips
          .then(function () { return pf; });
      });
      pagefind.catch(function () { pagefind = null; });  // let the next search retry
    }
    return pagefind;
  }

  /* ---------------------------------------------------------- open and close */

  function opened() {
    openedOn = location.href;
    if (openButton) openButton.setAttribute("aria-expanded", "true");
    load().catch(function () { status.textContent = cfg.text.error; });
    if (document.activeElement !== input) input.focus();
  }

  function open() {
    returnFocus = document.activeElement;
    toggle.checked = true;
    opened();
  }

  function close() {
    toggle.checked = false;
    if (openButton) openButton.setAttribute("aria-expanded", "false");
    if (box.contains(document.activeElement)) {
      document.activeElement.blur();
      if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
    }
    returnFocus = null;
  }

  function editable(node) {
    return node && (node.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName));
  }

  toggle.addEventListener("change", function () { toggle.checked ? opened() : close(); });
  input.addEventListener("focus", function () {
    if (!toggle.checked) { toggle.checked = true; opened(); }
  });
  if (openButton) openButton.addEventListener("click", open);

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    if (toggle.checked) {
      if (ev.key === "Escape") { ev.preventDefault(); close(); }
      return;
    }
    if ((ev.key === "/" || ev.key === "s") && !editable(ev.target)) {
      ev.preventDefault();
      open();
    }
  });

  /* Up and down move between the field and the results. */
  box.addEventListener("keydown", function (ev) {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    if (!links.length) return;
    var i = links.indexOf(document.activeElement);
    if (document.activeElement === input) {
      if (ev.key === "ArrowDown") { ev.preventDefault(); links[0].focus(); }
      return;
    }
    if (i < 0) return;
    ev.preventDefault();
    if (ev.key === "ArrowDown") links[Math.min(i + 1, links.length - 1)].focus();
    else (i === 0 ? input : links[i - 1]).focus();
  });

  /* Enter opens the first result; a click on a result closes the box. */
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var first = list.querySelector("a");
    if (first) first.click();
  });
  form.addEventListener("reset", function () {
    setTimeout(function () { search(); input.focus(); }, 0);
  });
  list.addEventListener("click", function (ev) {
    if (ev.target.closest("a")) { returnFocus = null; close(); }
  });

  /* Tabbing out of the open box closes it (on phones it covers the page). */
  box.addEventListener("focusout", function (ev) {
    var next = ev.relatedTarget;
    if (toggle.checked && next && !box.contains(next) && next !== openButton) close();
  });

  /* Material's instant navigation swaps the page under the header: close the
     box it was opened on (not one opened on the new page meanwhile). */
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () {
      if (toggle.checked && openedOn !== location.href) close();
    });
  }

  /* ------------------------------------------------------------------ search */

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });

  more.addEventListener("click", function () {
    var next = list.children.length;
    showMore(searchId).then(function () {
      var link = list.children[next] && list.children[next].querySelector("a");
      if (link) link.focus();
    });
  });

  function search() {
    var query = input.value.trim();
    var id = ++searchId;
    if (query.length < MIN_CHARS) {
      results = [];
      list.textContent = "";
      more.hidden = true;
      parts.hidden = true;
      status.textContent = cfg.text.prompt;
      return Promise.resolve();
    }
    if (!pagefind) status.textContent = cfg.text.loading;
    var filters = {};
    if (part) filters[cfg.filter] = part;
    return load().then(function (pf) {
      return pf.search(query, { filters: filters });
    }).then(function (response) {
      if (id !== searchId) return null;
      results = response.results;
      shown = 0;
      list.textContent = "";
      renderParts(response);
      return showMore(id).then(function () {
        if (id !== searchId) return;
        var n = results.length;
        status.textContent = text(n === 0 ? "none" : n === 1 ? "one" : "other", { n: n, q: query });
      });
    }).catch(function () {
      if (id === searchId) status.textContent = cfg.text.error;
    });
  }

  function showMore(id) {
    var batch = results.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    more.hidden = shown >= results.length;
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (pages) {
      if (id !== searchId) return;
      pages.forEach(function (page) { list.appendChild(resultItem(page)); });
    });
  }

  /* Radio chips, one per part of the guide with results, in navigation order. */
  function renderParts(response) {
    var counts = (response.totalFilters || {})[cfg.filter] || {};
    var names = Object.keys(counts).filter(function (name) { return counts[name] > 0 || name === part; });
    names.sort(function (a, b) { return order(a) - order(b); });
    Array.prototype.slice.call(parts.querySelectorAll("label")).forEach(function (n) { n.remove(); });
    if (names.length < 2 && !part) { parts.hidden = true; return; }
    parts.hidden = false;
    var total = names.reduce(function (sum, name) { return sum + (counts[name] || 0); }, 0);
    [""].concat(names).forEach(function (name) {
      var label = el("label", "klik-search__part-choice");
      var radio = el("input");
      radio.type = "radio";
      radio.name = "klik-search-part";
      radio.value = name;
      radio.checked = name === part;
      radio.addEventListener("change", function () {
        part = radio.value;
        search().then(function () {
          var again = parts.querySelector('input[value="' + CSS.escape(part) + '"]');
          if (again) again.focus();
        });
      });
      label.appendChild(radio);
      label.appendChild(el("span", null, (name || cfg.text.all) + " (" + (name ? counts[name] || 0 : total) + ")"));
      parts.appendChild(label);
    });
  }

  function order(name) {
    var i = cfg.parts.indexOf(name);
    return i < 0 ? cfg.parts.length : i;
  }

  /* ----------------------------------------------------------------- results */

  function words(content) {
    return content.indexOf("\u200B") >= 0 ? content.split("\u200B") : content.split(/[\r\n\s]+/g);
  }

  function normal(word) {
    return word.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
  }

  /* Positions in the page's own text of the words that index-only hits stand
     for: the block after cfg.mark reads "head | head → extra extra · ...". */
  function aliasHits(all, stop, locations) {
    var aliasLocations = locations.filter(function (loc) { return loc > stop; });
    if (!aliasLocations.length) return [];
    var groupOf = {};
    var heads = [];
    var phrase = [];
    var inHeads = true;
    for (var i = stop + 1; i < all.length; i++) {
      var token = all[i];
      if (token === cfg.group) { heads = []; phrase = []; inHeads = true; }
      else if (inHeads && token === cfg.alternative) { heads.push(phrase); phrase = []; }
      else if (inHeads && token === cfg.arrow) { heads.push(phrase); phrase = []; inHeads = false; }
      else if (inHeads) phrase.push(normal(token));
      else groupOf[i] = heads;
    }
    var wanted = [];
    aliasLocations.forEach(function (loc) { if (groupOf[loc]) wanted = wanted.concat(groupOf[loc]); });
    var own = all.slice(0, stop).map(normal);
    var hits = [];
    wanted.forEach(function (p) {
      for (var i = 0; p.length && i + p.length <= stop; i++) {
        var k = 0;
        while (k < p.length && own[i + k] === p[k]) k++;
        if (k === p.length) for (k = 0; k < p.length; k++) hits.push(i + k);
      }
    });
    return hits;
  }

  /* The start of the stretch of EXCERPT_WORDS words holding the most hits. */
  function densest(hits) {
    var start = hits[0];
    var best = 0;
    hits.forEach(function (loc) {
      var count = hits.filter(function (l) { return l >= loc && l < loc + EXCERPT_WORDS; }).length;
      if (count > best) { best = count; start = loc; }
    });
    return start;
  }

  function excerpt(all, first, hits, stop) {
    var start = Math.max(0, Math.min(first - 5, stop - EXCERPT_WORDS));
    var end = Math.min(stop, start + EXCERPT_WORDS);
    var marked = new Set(hits);
    var p = el("p", "klik-search__excerpt");
    if (start > 0) p.appendChild(document.createTextNode("\u2026 "));
    for (var i = start; i < end; i++) {
      // No space before a lone stop or comma (left where a citation mark was cut).
      if (i > start && !/^[.,;:!?)\]]+$/.test(all[i])) p.appendChild(document.createTextNode(" "));
      if (marked.has(i)) p.appendChild(el("mark", null, all[i]));
      else p.appendChild(document.createTextNode(all[i]));
    }
    if (end < stop) p.appendChild(document.createTextNode(" \u2026"));
    return p;
  }

  /* The heading (h2 to h6) the excerpt falls under, if any. */
  function sectionAt(page, location) {
    var found = null;
    (page.anchors || []).forEach(function (anchor) {
      if (/^h[2-6]$/.test(anchor.element) && anchor.location <= location &&
          (!found || anchor.location >= found.location)) found = anchor;
    });
    return found;
  }

  function resultItem(page) {
    var all = words(page.content || "");
    var stop = all.indexOf(cfg.mark);
    if (stop < 0) stop = all.length;
    var locations = page.locations || [];
    // The page's own matches; failing those, the words that index-only hits stand for.
    var hits = locations.filter(function (loc) { return loc < stop; });
    if (!hits.length) hits = aliasHits(all, stop, locations).sort(function (a, b) { return a - b; });
    var first = hits.length ? densest(hits) : -1;
    var section = first >= 0 ? sectionAt(page, first) : null;

    var li = el("li", "md-search-result__item");
    var link = el("a", "md-search-result__link");
    link.href = section ? page.url.replace(/#.*$/, "") + "#" + section.id : page.url;
    var article = el("article", "md-search-result__article md-typeset");
    var partName = ((page.filters || {})[cfg.filter] || [])[0];
    if (partName) article.appendChild(el("p", "klik-search__part", partName));
    var title = el("p", "klik-search__title", page.meta.title || page.url);
    if (section && section.text !== page.meta.title) {
      var arrow = el("span", "klik-search__arrow", " \u203a ");
      arrow.setAttribute("aria-hidden", "true");
      title.appendChild(arrow);
      title.appendChild(el("span", "klik-search__section", section.text));
    }
    article.appendChild(title);
    if (page.meta.description) article.appendChild(el("p", "klik-search__description", page.meta.description));
    if (first >= 0) article.appendChild(excerpt(all, first, hits, stop));
    link.appendChild(article);
    li.appendChild(link);
    return li;
  }
})();
