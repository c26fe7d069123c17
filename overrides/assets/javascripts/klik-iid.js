/* IID self-assessment calculator (the page /alat/kalkulator-iid/).
 *
 * Builds the form from the edition data (iid-data.json, generated at build time),
 * scores with KlikIID (klik-iid-core.js), keeps answers in localStorage, exports and
 * imports JSON, and prints a one-page summary. All text from data is inserted with
 * textContent; no inline handlers. Material's instant navigation swaps pages without
 * reloading scripts, so this initialises on every `document$` emission and drops the
 * previous page's global listeners through an AbortController.
 */
(function () {
  "use strict";
  if (window.__klikIidLoaded) return;
  window.__klikIidLoaded = true;

  var K = window.KlikIID;
  var dataCache = {};          // url -> Promise of the parsed payload
  var pageController = null;   // aborts the previous page's listeners

  /* ------------------------------------------------------------ small helpers */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var v = attrs[key];
      if (v === null || v === undefined || v === false) return;
      if (key === "text") node.textContent = v;
      else if (key === "className") node.className = v;
      else node.setAttribute(key, v === true ? "" : String(v));
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function num(x) { return String(x).replace(".", ","); }
  function fmt(x) { return K.round2(x).toFixed(2).replace(".", ","); }

  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }

  /* "Nama (salinan 2)": numbered so copies of copies do not pile up suffixes. */
  function copyName(name, innovations) {
    var base = String(name || "").replace(/ \(salinan(?: \d+)?\)$/, "");
    var used = {};
    innovations.forEach(function (x) { used[x.name] = true; });
    for (var k = 1; ; k++) {
      var candidate = base + " (salinan" + (k > 1 ? " " + k : "") + ")";
      if (!used[candidate]) return candidate;
    }
  }

  function confMark(payload, level) {
    var c = payload.confidence[level];
    return el("span", { className: "klik-conf klik-conf--" + level.toLowerCase(), title: c.title, text: c.label });
  }

  function sourceLinks(payload, ids, href) {
    var span = el("span", { className: "klik-iid-sources" });
    ids.forEach(function (id) {
      var s = payload.sources[id];
      if (!s) return;
      span.appendChild(el("a", { href: href + "#sumber-" + id, title: s.title, text: "[" + s.number + "]" }));
    });
    return span;
  }

  function storageGet(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }

  /* The edition data: a script (iid-data.js, works from file:// in the offline copy) or a
   * JSON file. Loaded once per page load; instant navigation reuses it. */
  function loadPayload(url) {
    if (!dataCache[url]) {
      dataCache[url] = /\.js$/.test(url) ? new Promise(function (resolve, reject) {
        if (window.KlikIIDData) { resolve(window.KlikIIDData); return; }
        var script = document.createElement("script");
        script.src = url;
        script.addEventListener("load", function () {
          if (window.KlikIIDData) resolve(window.KlikIIDData); else reject(new Error("no data"));
        });
        script.addEventListener("error", function () { reject(new Error("not loaded")); });
        document.body.appendChild(script);
      }) : fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      });
      dataCache[url].catch(function () { delete dataCache[url]; });
    }
    return dataCache[url];
  }

  /* ------------------------------------------------------------ the calculator */

  function Calculator(root, payload, signal) {
    this.root = root;
    this.payload = payload;
    this.signal = signal;
    this.sourcesHref = root.getAttribute("data-sources-href") || "";
    this.storageKey = root.getAttribute("data-storage-key") || "klik-iid:v1";
    this.editions = {};
    var self = this;
    payload.editions.forEach(function (e) { self.editions[String(e.year)] = e; });
    this.state = this.restore();
    this.announceTimer = null;
    this.build();
  }

  Calculator.prototype.emptyAnswers = function (year) {
    return { edition: year, spd: {}, innovations: [] };
  };

  Calculator.prototype.restore = function () {
    var saved = storageGet(this.storageKey);
    var first = this.payload.editions[0].year;
    var state = { version: 1, edition: first, byEdition: {}, current: {} };
    var dropped = 0, self = this;
    if (saved && typeof saved === "object" && saved.version === 1) {
      if (has(this.editions, String(saved.edition))) state.edition = saved.edition;
      Object.keys(saved.byEdition || {}).forEach(function (year) {
        if (!has(self.editions, year)) return;
        var s = K.sanitiseAnswers(self.editions[year], saved.byEdition[year]);
        dropped += s.dropped;
        state.byEdition[year] = s.answers;
        var cur = (saved.current || {})[year];
        state.current[year] = typeof cur === "number" ? cur : 0;
      });
    }
    this.restoreDropped = dropped;
    return state;
  };

  Calculator.prototype.save = function () {
    this.storageOk = storageSet(this.storageKey, this.state);
  };

  Calculator.prototype.edition = function () { return this.editions[String(this.state.edition)]; };

  Calculator.prototype.answers = function () {
    var year = String(this.state.edition);
    if (!this.state.byEdition[year]) this.state.byEdition[year] = this.emptyAnswers(this.state.edition);
    return this.state.byEdition[year];
  };

  Calculator.prototype.currentIndex = function () {
    var n = this.answers().innovations.length;
    var i = this.state.current[String(this.state.edition)] || 0;
    return n ? Math.max(0, Math.min(i, n - 1)) : -1;
  };

  Calculator.prototype.setCurrent = function (i) { this.state.current[String(this.state.edition)] = i; };

  Calculator.prototype.id = function (suffix) { return "klik-iid-" + suffix; };

  /* -------------------------------------------------------------- building */

  Calculator.prototype.build = function () {
    var self = this, app = this.root.querySelector("[data-role=app]");
    clear(app);
    var loading = this.root.querySelector("[data-role=loading]");
    if (loading) loading.hidden = true;

    // Toolbar: edition, export, import, print, reset.
    var select = el("select", { id: this.id("edisi") });
    this.payload.editions.forEach(function (e) {
      select.appendChild(el("option", { value: String(e.year), text: e.title }));
    });
    select.value = String(this.state.edition);
    select.addEventListener("change", function () {
      self.state.edition = parseInt(select.value, 10);
      self.save();
      self.buildForms();
      self.update();
      self.say("Edisi diganti ke " + self.edition().title + ".");
    });
    // The native file input says "No file chosen" in the browser's language: it stays
    // focusable but visually hidden, and its label is the visible button.
    var fileInput = el("input", { type: "file", id: this.id("berkas-impor"), accept: ".json,application/json",
      className: "klik-iid-file" });
    fileInput.addEventListener("change", function () { self.importFile(fileInput); });
    var exportBtn = el("button", { type: "button", className: "md-button", text: "Ekspor jawaban (.json)" });
    exportBtn.addEventListener("click", function () { self.exportAnswers(); });
    var printBtn = el("button", { type: "button", className: "md-button", text: "Cetak ringkasan" });
    printBtn.addEventListener("click", function () { window.print(); });
    var resetBtn = el("button", { type: "button", className: "md-button", text: "Hapus semua jawaban edisi ini" });
    resetBtn.addEventListener("click", function () { self.resetEdition(); });

    this.messageBox = el("p", { className: "klik-iid-message", role: "status" });
    this.errorBox = el("div", { className: "klik-iid-error", role: "alert", tabindex: "-1", hidden: true });

    app.appendChild(el("div", { className: "klik-iid-toolbar" }, [
      el("div", { className: "klik-iid-field" }, [
        el("label", { "for": this.id("edisi"), text: "Edisi pengukuran" }), select]),
      el("div", { className: "klik-iid-actions" }, [exportBtn, fileInput,
        el("label", { "for": this.id("berkas-impor"), className: "md-button klik-iid-file-label",
          text: "Impor jawaban (.json)" }), printBtn, resetBtn]),
      this.messageBox, this.errorBox
    ]));

    // Result.
    this.resultBox = el("div", { className: "klik-iid-result__body" });
    this.live = el("p", { className: "klik-iid-sr", "aria-live": "polite", "aria-atomic": "true" });
    this.paramsBox = el("div");
    app.appendChild(el("section", { className: "klik-iid-result", "aria-labelledby": this.id("hasil") }, [
      el("h2", { id: this.id("hasil"), text: "Hasil simulasi" }),
      this.resultBox, this.live,
      el("details", { className: "klik-iid-more klik-iid-params" }, [
        el("summary", { text: "Parameter perhitungan yang dipakai dan tingkat keyakinannya" }), this.paramsBox])
    ]));

    // Missing answers.
    this.missingBox = el("div");
    app.appendChild(el("section", { className: "klik-iid-missing", "aria-labelledby": this.id("belum") }, [
      el("h2", { id: this.id("belum"), text: "Jawaban yang belum diisi" }), this.missingBox]));

    // SPD and SID.
    this.spdBox = el("div");
    this.spdTotal = el("p", { className: "klik-iid-subtotal" });
    app.appendChild(el("section", { className: "klik-iid-aspect", "aria-labelledby": this.id("spd") }, [
      el("h2", { id: this.id("spd"), text: "Aspek SPD: diisi sekali untuk pemerintah daerah" }),
      el("p", { text: "Indikator " + this.payload.aspects.SPD + " dijawab satu kali untuk seluruh pemerintah daerah." }),
      this.spdTotal, this.spdBox]));

    this.innTable = el("div", { className: "klik-iid-table-wrap" });
    this.innControls = el("div", { className: "klik-iid-innovation" });
    this.sidBox = el("div");
    app.appendChild(el("section", { className: "klik-iid-aspect", "aria-labelledby": this.id("sid") }, [
      el("h2", { id: this.id("sid"), text: "Aspek SID: diisi untuk setiap inovasi" }),
      el("p", { text: "Indikator " + this.payload.aspects.SID + " dijawab untuk setiap inovasi yang dilaporkan. " +
        "Inovasi yang ditolak tetap dihitung dalam jumlah inovasi (n) dengan skor 0." }),
      this.innTable, this.innControls, this.sidBox]));

    // A compact result that stays in view while answering (the table above is the accessible one).
    this.sticky = el("div", { className: "klik-iid-sticky", "aria-hidden": "true" });
    app.appendChild(this.sticky);

    // Print-only summary.
    this.printBox = el("section", { className: "klik-iid-print", "aria-hidden": "true" });
    app.appendChild(this.printBox);

    app.hidden = false;
    this.buildForms();
    this.update(true);
    var notes = [];
    if (this.restoreDropped) notes.push(this.restoreDropped + " jawaban tersimpan tidak cocok lagi dengan data edisi dan diabaikan.");
    this.save();
    if (!this.storageOk) notes.push("Peramban ini tidak mengizinkan penyimpanan lokal: jawaban hilang bila halaman ditutup. Gunakan ekspor JSON.");
    if (notes.length) this.message(notes.join(" "));
  };

  Calculator.prototype.buildForms = function () {
    var self = this, ed = this.edition();
    clear(this.spdBox);
    ed.indicators.forEach(function (ind) {
      if (ind.aspect === "SPD") self.spdBox.appendChild(self.indicatorFieldset(ind, "spd"));
    });
    this.buildParams();
    this.buildInnovation();
  };

  Calculator.prototype.buildParams = function () {
    var self = this, ed = this.edition(), p = this.payload;
    clear(this.paramsBox);
    var tbody = el("tbody");
    K.PARAMETER_KEYS.forEach(function (key) {
      var rec = ed.scoring[key];
      tbody.appendChild(el("tr", {}, [
        el("th", { scope: "row", text: p.parameter_labels[key] }),
        el("td", { text: num(rec.value) }),
        el("td", {}, [confMark(p, rec.confidence), " ", sourceLinks(p, rec.sources, self.sourcesHref)]),
        el("td", { text: rec.note || "" })
      ]));
    });
    var rule = ed.score_rule;
    this.paramsBox.appendChild(el("p", {}, [rule.text, " ", confMark(p, rule.confidence), " ",
      sourceLinks(p, rule.sources, self.sourcesHref)]));
    this.paramsBox.appendChild(el("div", { className: "klik-iid-table-wrap" }, [el("table", {}, [
      el("caption", { text: "Parameter edisi " + ed.year }),
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Parameter" }), el("th", { scope: "col", text: "Nilai" }),
        el("th", { scope: "col", text: "Keyakinan dan sumber" }), el("th", { scope: "col", text: "Catatan" })])]),
      tbody])]));
    var bands = el("tbody");
    ed.predicates.forEach(function (b) {
      bands.appendChild(el("tr", {}, [el("th", { scope: "row", text: b.name }),
        el("td", { text: b.min === b.max ? fmt(b.min) : fmt(b.min) + " sampai " + fmt(b.max) }),
        el("td", {}, [confMark(p, b.confidence), " ", sourceLinks(p, b.sources, self.sourcesHref)])]));
    });
    this.paramsBox.appendChild(el("div", { className: "klik-iid-table-wrap" }, [el("table", {}, [
      el("caption", { text: "Rentang predikat edisi " + ed.year + " (IID dibulatkan dua desimal lebih dulu)" }),
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Predikat" }), el("th", { scope: "col", text: "Rentang IID" }),
        el("th", { scope: "col", text: "Keyakinan dan sumber" })])]),
      bands])]));
  };

  Calculator.prototype.levelMax = function () { return this.edition().scoring.level_max.value; };

  /* One radio group: Belum dijawab / 0 / level 1..max. */
  Calculator.prototype.radioGroup = function (legendNodes, base, levels, current, onChange) {
    var self = this;
    var fs = el("fieldset", { className: "klik-iid-radios" }, [el("legend", {}, legendNodes)]);
    var opts = [{ v: "", text: "Belum dijawab" }, { v: "0", text: "Tidak ada data dukung yang sah (skor 0)" }];
    for (var lv = 1; lv <= this.levelMax(); lv++) {
      var label = null;
      (levels || []).forEach(function (l) { if (l.level === lv) label = l.label; });
      opts.push({ v: String(lv), text: "Level " + lv + (label ? ": " + label : "") });
    }
    var list = el("div", { className: "klik-iid-options" });
    opts.forEach(function (o) {
      var id = base + "-" + (o.v === "" ? "kosong" : o.v);
      var input = el("input", { type: "radio", name: base, id: id, value: o.v });
      input.checked = (current === undefined || current === null) ? o.v === "" : String(current) === o.v;
      input.addEventListener("change", function () {
        if (input.checked) onChange(o.v === "" ? null : parseInt(o.v, 10));
      });
      list.appendChild(el("div", { className: "klik-iid-option" }, [input, el("label", { "for": id, text: o.text })]));
    });
    fs.appendChild(list);
    return fs;
  };

  Calculator.prototype.indicatorFieldset = function (ind, scope) {
    var self = this, p = this.payload, key = String(ind.no);
    var base = this.id(scope + "-" + ind.no);
    var target = function () {
      return scope === "spd" ? self.answers().spd : self.answers().innovations[self.currentIndex()].answers;
    };
    var current = target();
    var box = el("div", { className: "klik-iid-ind" + (ind.mandatory ? " klik-iid-ind--mandatory" : ""), id: base });
    var legend = [el("span", { className: "klik-iid-no", text: ind.no + ". " }), ind.name,
      el("span", { className: "klik-iid-weight", text: " (bobot " + num(ind.weight) + ")" })];
    if (ind.mandatory) legend.push(el("span", { className: "klik-iid-badge", text: "wajib" }));
    var scoreLine = el("p", { className: "klik-iid-score-line", "data-score-for": scope + "-" + key });
    var setAnswer = function (partId, value) {
      var t = target();
      if (partId) {
        var obj = has(t, key) && typeof t[key] === "object" ? t[key] : {};
        if (value === null) delete obj[partId]; else obj[partId] = value;
        if (Object.keys(obj).length) t[key] = obj; else delete t[key];
      } else if (value === null) {
        delete t[key];
      } else {
        t[key] = value;
      }
      self.save();
      self.update();
    };
    if (ind.parts && ind.parts.length) {
      var outer = el("fieldset", { className: "klik-iid-group" }, [el("legend", {}, legend)]);
      var partAnswers = has(current, key) ? current[key] : {};
      ind.parts.forEach(function (part) {
        outer.appendChild(self.radioGroup(
          [part.name, el("span", { className: "klik-iid-weight", text: " (bobot " + num(part.weight) + ")" })],
          base + "-" + part.id, part.levels, has(partAnswers, part.id) ? partAnswers[part.id] : null,
          function (v) { setAnswer(part.id, v); }));
      });
      box.appendChild(outer);
    } else {
      box.appendChild(this.radioGroup(legend, base, ind.levels, has(current, key) ? current[key] : null,
        function (v) { setAnswer(null, v); }));
    }
    var noLevels = !ind.levels && !(ind.parts || []).some(function (x) { return x.levels; });
    if (noLevels) {
      box.appendChild(el("p", { className: "klik-iid-note",
        text: "Rumusan parameter tiap level belum tercatat di data panduan; lihat Penjelasan Teknis Indikator resmi." }));
    }
    box.appendChild(scoreLine);
    box.appendChild(this.evidenceDetails(ind));
    return box;
  };

  Calculator.prototype.evidenceDetails = function (ind) {
    var p = this.payload, body = el("div", { className: "klik-iid-evidence" });
    var noLevels = !ind.levels && !(ind.parts || []).some(function (x) { return x.levels; });
    if (ind.description) body.appendChild(el("p", { text: ind.description }));
    if (ind.levels) {
      var ol = el("ul");
      ind.levels.forEach(function (l) { ol.appendChild(el("li", { text: "Level " + l.level + ": " + l.label })); });
      body.appendChild(el("p", { className: "klik-iid-h", text: "Parameter tiap level" }));
      body.appendChild(ol);
    }
    if (noLevels) {
      body.appendChild(el("p", { className: "klik-iid-note",
        text: "Rumusan parameter tiap level untuk indikator ini belum tercatat di data panduan; pilihan hanya " +
          "disebut Level 1 sampai " + this.levelMax() + ". Periksa Penjelasan Teknis Indikator resmi tahun berjalan." }));
    }
    var self = this;
    var lists = [["evidence", "Data dukung yang diperlukan"], ["alt_bases", "Dasar penilaian lain yang dapat dipakai"],
      ["rejections", "Penyebab data dukung sering ditolak"], ["tips", "Saran"],
      ["caveats", "Catatan keabsahan indikator ini"]];
    lists.forEach(function (pair) {
      if (!ind[pair[0]] || !ind[pair[0]].length) return;
      var ul = el("ul");
      ind[pair[0]].forEach(function (note) {
        var li = el("li", { text: note.text });
        // the indicator's own mark is shown below; repeat only a different one
        if (note.confidence && note.confidence !== ind.confidence) {
          li.appendChild(el("span", {}, [" ", confMark(p, note.confidence)]));
        }
        if (note.sources) li.appendChild(el("span", {}, [" ", sourceLinks(p, note.sources, self.sourcesHref)]));
        ul.appendChild(li);
      });
      body.appendChild(el("p", { className: "klik-iid-h", text: pair[1] }));
      body.appendChild(ul);
    });
    if (!ind.evidence || !ind.evidence.length) {
      body.appendChild(el("p", { className: "klik-iid-note",
        text: "Data dukung khusus untuk indikator ini belum tercatat di data panduan. Setiap indikator memerlukan " +
          "berkas bukti yang sah; periksa ketentuan resmi tahun berjalan." }));
    }
    body.appendChild(el("p", { className: "klik-iid-conf" }, ["Keyakinan data indikator: ",
      confMark(p, ind.confidence), " ", sourceLinks(p, ind.sources, this.sourcesHref)]));
    return el("details", { className: "klik-iid-more" }, [el("summary", { text: "Data dukung dan parameter" }), body]);
  };

  Calculator.prototype.buildInnovation = function () {
    var self = this, ans = this.answers();
    clear(this.innControls);
    clear(this.sidBox);
    this.sidTotal = null;
    var add = el("button", { type: "button", className: "md-button", text: "Tambah inovasi" });
    add.addEventListener("click", function () {
      ans.innovations.push({ name: "Inovasi " + (ans.innovations.length + 1), rejected: false, answers: {} });
      self.afterListChange(ans.innovations.length - 1, "Inovasi baru ditambahkan.");
    });
    if (!ans.innovations.length) {
      this.innControls.appendChild(el("div", { className: "klik-iid-toolbar" }, [
        el("p", { className: "klik-iid-empty", text: "Belum ada inovasi. Tambahkan inovasi untuk menjawab indikator SID-nya." }),
        el("div", { className: "klik-iid-actions" }, [add])]));
      this.chooser = null;
      this.nameInput = null;
      this.emptyAdd = add;
      return;
    }
    var idx = this.currentIndex();
    this.setCurrent(idx);
    var inn = ans.innovations[idx];

    var chooser = el("select", { id: this.id("inovasi-aktif") });
    ans.innovations.forEach(function (x, i) {
      chooser.appendChild(el("option", { value: String(i), text: (i + 1) + ". " + (x.name || "(tanpa nama)") }));
    });
    chooser.value = String(idx);
    chooser.addEventListener("change", function () {
      self.setCurrent(parseInt(chooser.value, 10));
      self.save();
      self.buildInnovation();
      self.update();
    });
    var dup = el("button", { type: "button", className: "md-button", text: "Gandakan inovasi ini" });
    dup.addEventListener("click", function () {
      var copy = JSON.parse(JSON.stringify(ans.innovations[self.currentIndex()]));
      copy.name = copyName(copy.name, ans.innovations);
      ans.innovations.splice(self.currentIndex() + 1, 0, copy);
      self.afterListChange(self.currentIndex() + 1, "Inovasi digandakan.");
    });
    var del = el("button", { type: "button", className: "md-button", text: "Hapus inovasi ini" });
    del.addEventListener("click", function () {
      var i = self.currentIndex();
      if (!window.confirm("Hapus inovasi \u201c" + (ans.innovations[i].name || "") + "\u201d beserta jawabannya?")) return;
      ans.innovations.splice(i, 1);
      self.afterListChange(Math.min(i, ans.innovations.length - 1), "Inovasi dihapus.");
    });

    var nameInput = el("input", { type: "text", id: this.id("nama-inovasi"), value: inn.name, autocomplete: "off" });
    nameInput.addEventListener("input", function () {
      inn.name = nameInput.value;
      chooser.options[self.currentIndex()].textContent = (self.currentIndex() + 1) + ". " + (inn.name || "(tanpa nama)");
      self.save();
      self.update();
    });
    var rejected = el("input", { type: "checkbox", id: this.id("ditolak") });
    rejected.checked = !!inn.rejected;
    rejected.addEventListener("change", function () {
      inn.rejected = rejected.checked;
      self.save();
      self.update();
    });

    this.innControls.appendChild(el("div", { className: "klik-iid-toolbar" }, [
      el("div", { className: "klik-iid-field" }, [
        el("label", { "for": this.id("inovasi-aktif"), text: "Inovasi yang sedang diisi" }), chooser]),
      el("div", { className: "klik-iid-actions" }, [add, dup, del]),
      el("div", { className: "klik-iid-field klik-iid-field--wide" }, [
        el("label", { "for": this.id("nama-inovasi"), text: "Nama inovasi" }), nameInput]),
      el("div", { className: "klik-iid-check" }, [rejected,
        el("label", { "for": this.id("ditolak"),
          text: "Ditolak saat verifikasi (tetap dihitung dalam jumlah inovasi, skornya 0)" })])
    ]));
    this.chooser = chooser;
    this.nameInput = nameInput;
    this.emptyAdd = null;
    this.sidTotal = el("p", { className: "klik-iid-subtotal" });
    this.sidBox.appendChild(this.sidTotal);
    this.edition().indicators.forEach(function (ind) {
      if (ind.aspect === "SID") self.sidBox.appendChild(self.indicatorFieldset(ind, "sid"));
    });
  };

  Calculator.prototype.afterListChange = function (index, message) {
    this.setCurrent(index);
    this.save();
    this.buildInnovation();
    this.update();
    this.say(message);
    (this.nameInput || this.emptyAdd).focus();
  };

  /* -------------------------------------------------------------- updating */

  /* Recompute and redraw; `quiet` skips the screen-reader announcement (first render). */
  Calculator.prototype.update = function (quiet) {
    var self = this, ed = this.edition(), p = this.payload;
    var ans = this.answers();
    var r = K.compute(ed, ans);
    this.result = r;
    var sc = ed.scoring;

    // Per-indicator score lines (SPD and the current innovation).
    var cur = this.currentIndex() >= 0 ? r.innovations[this.currentIndex()] : null;
    this.root.querySelectorAll("[data-score-for]").forEach(function (node) {
      var parts = node.getAttribute("data-score-for").split("-");
      var rows = parts[0] === "spd" ? r.spd.indicators : (cur ? cur.indicators : []);
      rows.forEach(function (row) {
        if (String(row.no) !== parts[1]) return;
        var text = "Skor: " + num(row.score) + " dari " + num(row.max);
        if (parts[0] === "sid" && cur && cur.rejected) text += " (inovasi ditolak: dihitung 0)";
        if (!row.answered) text += " \u2014 belum dijawab";
        node.textContent = text;
      });
    });
    this.spdTotal.textContent = "Subtotal SPD: " + fmt(r.spd.score) + " dari " + num(r.spd.max);
    if (cur && this.sidTotal) {
      this.sidTotal.textContent = "Skor SID inovasi ini: " + fmt(cur.score) + " dari " +
        num(sc.sid_per_innovation_max.value) + (cur.rejected ? " (ditolak, dihitung 0)" : "");
    }

    // Result table.
    clear(this.resultBox);
    var predicate = el("p", { className: "klik-iid-headline" }, [
      el("span", { className: "klik-iid-value", "data-testid": "iid", text: "IID " + fmt(r.iid_rounded) }),
      " ", el("span", { className: "klik-iid-predicate", "data-testid": "predikat", text: r.predicate })]);
    var rows = [
      ["Aspek SPD", fmt(r.spd.score) + " dari " + num(r.spd.max), "spd"],
      ["Jumlah skor SID semua inovasi", fmt(r.sid_sum), "sid-sum"],
      ["Jumlah inovasi (n)", String(r.n), "n"],
      ["Pembagi: MAX(" + num(sc.divisor_min.value) + ", n)", num(r.divisor), "divisor"],
      ["Rata-rata skor SID", fmt(r.sid_average), "sid-average"],
      ["Skor jumlah inovasi: " + num(sc.count_weight.value) + " \u00d7 min(n, " + num(sc.count_cap.value) +
        "), paling tinggi " + num(sc.count_max.value), fmt(r.count_score), "count"],
      ["Aspek SID (rata-rata + skor jumlah inovasi)", fmt(r.sid), "sid"],
      ["Total SPD + SID", fmt(r.total) + " dari " + num(sc.total_max.value), "total"],
      ["IID = total / " + num(sc.total_max.value) + " \u00d7 100", fmt(r.iid_rounded), "iid-row"]
    ];
    var tbody = el("tbody");
    rows.forEach(function (row) {
      tbody.appendChild(el("tr", {}, [el("th", { scope: "row", text: row[0] }),
        el("td", { "data-testid": row[2], text: row[1] })]));
    });
    this.resultBox.appendChild(predicate);
    this.resultBox.appendChild(el("div", { className: "klik-iid-table-wrap" }, [el("table", { className: "klik-iid-breakdown" }, [
      el("caption", { text: "Rincian perhitungan, edisi " + ed.year }), tbody])]));

    // Innovations summary table.
    clear(this.innTable);
    var ib = el("tbody");
    r.innovations.forEach(function (inn, i) {
      ib.appendChild(el("tr", { "aria-current": i === self.currentIndex() ? "true" : null }, [
        el("td", { text: String(i + 1) }),
        el("th", { scope: "row", text: inn.name || "(tanpa nama)" }),
        el("td", { text: inn.rejected ? "Ditolak (skor 0)" : "Dinilai" }),
        el("td", { text: fmt(inn.score) }),
        el("td", { text: inn.rejected ? "\u2014" : String(inn.missing.length) })
      ]));
    });
    this.innTable.appendChild(el("table", {}, [
      el("caption", { text: "Daftar inovasi (" + r.n + ")" }),
      el("thead", {}, [el("tr", {}, ["No", "Nama inovasi", "Status", "Skor SID", "Belum dijawab"].map(function (h) {
        return el("th", { scope: "col", text: h });
      }))]), ib]));

    this.sticky.textContent = "IID " + fmt(r.iid_rounded) + " \u00b7 " + r.predicate + " \u00b7 SPD " +
      fmt(r.spd.score) + " \u00b7 SID " + fmt(r.sid) + " \u00b7 " + r.n + " inovasi";
    this.updateMissing(r);
    this.updatePrint(r);
    if (!quiet) this.scheduleAnnounce(r);
  };

  Calculator.prototype.updateMissing = function (r) {
    var self = this, ed = this.edition();
    var names = {};
    ed.indicators.forEach(function (i) { names[i.no] = i; });
    clear(this.missingBox);
    var total = r.spd.missing.length;
    r.innovations.forEach(function (inn) { total += inn.missing.length; });
    if (!total) {
      this.missingBox.appendChild(el("p", { text: "Semua indikator sudah dijawab." }));
      return;
    }
    var list = el("ul", { className: "klik-iid-missing__list" });
    var jump = function (scope, no, index) {
      var b = el("button", { type: "button", className: "klik-iid-jump",
        text: no + ". " + names[no].name + (names[no].mandatory ? " (wajib)" : "") });
      b.addEventListener("click", function () { self.focusIndicator(scope, no, index); });
      return el("li", {}, [b]);
    };
    if (r.spd.missing.length) {
      var spdList = el("ul");
      r.spd.missing.forEach(function (no) { spdList.appendChild(jump("spd", no)); });
      list.appendChild(el("li", {}, ["Aspek SPD (" + r.spd.missing.length + ")", spdList]));
    }
    r.innovations.forEach(function (inn, i) {
      if (!inn.missing.length) return;
      var sub = el("ul");
      inn.missing.forEach(function (no) { sub.appendChild(jump("sid", no, i)); });
      var head = "Inovasi " + (i + 1) + ": " + (inn.name || "(tanpa nama)") + " (" + inn.missing.length + ")";
      if (inn.mandatory_missing.length) head += ", termasuk " + inn.mandatory_missing.length + " indikator wajib";
      list.appendChild(el("li", {}, [head, sub]));
    });
    this.missingBox.appendChild(el("details", { className: "klik-iid-more" }, [
      el("summary", { text: total + " jawaban belum diisi (pilih untuk menuju indikatornya)" }), list]));
  };

  Calculator.prototype.focusIndicator = function (scope, no, index) {
    if (scope === "sid" && index !== this.currentIndex()) {
      this.setCurrent(index);
      this.save();
      this.buildInnovation();
      this.update();
    }
    var box = document.getElementById(this.id(scope + "-" + no));
    if (!box) return;
    var input = box.querySelector("input:checked") || box.querySelector("input");
    box.scrollIntoView({ block: "start" });
    if (input) input.focus();
  };

  Calculator.prototype.scheduleAnnounce = function (r) {
    var self = this;
    if (this.announceTimer) window.clearTimeout(this.announceTimer);
    this.announceTimer = window.setTimeout(function () {
      self.live.textContent = "Hasil simulasi: IID " + fmt(r.iid_rounded) + ", predikat " + r.predicate +
        ". SPD " + fmt(r.spd.score) + ", SID " + fmt(r.sid) + ", " + r.n + " inovasi.";
    }, 500);
  };

  Calculator.prototype.updatePrint = function (r) {
    var ed = this.edition(), p = this.payload, sc = ed.scoring;
    var box = this.printBox;
    clear(box);
    box.appendChild(el("h2", { text: "Ringkasan simulasi IID \u2014 " + ed.title }));
    box.appendChild(el("p", { className: "klik-iid-print__notice",
      text: "Simulasi, bukan hasil resmi. Dicetak " + new Date().toLocaleDateString("id-ID",
        { day: "numeric", month: "long", year: "numeric" }) + ". Nilai resmi ditetapkan melalui verifikasi dan validasi pengukuran IID." }));
    box.appendChild(el("p", { className: "klik-iid-print__headline",
      text: "IID " + fmt(r.iid_rounded) + " \u2014 " + r.predicate + " (SPD " + fmt(r.spd.score) + " dari " +
        num(r.spd.max) + "; SID " + fmt(r.sid) + " = rata-rata " + fmt(r.sid_average) + " + skor jumlah inovasi " +
        fmt(r.count_score) + "; n = " + r.n + ", pembagi " + num(r.divisor) + ")" }));
    var names = {};
    ed.indicators.forEach(function (i) { names[i.no] = i; });
    var spdAns = this.answers().spd;
    var levelText = function (ind, v) {
      if (v === undefined) return "belum dijawab";
      if (ind.parts && ind.parts.length) {
        return ind.parts.map(function (part) { return has(v, part.id) ? String(v[part.id]) : "\u2013"; }).join(" / ");
      }
      return String(v);
    };
    var sb = el("tbody");
    r.spd.indicators.forEach(function (row) {
      sb.appendChild(el("tr", {}, [el("td", { text: String(row.no) }), el("td", { text: names[row.no].name }),
        el("td", { text: levelText(names[row.no], spdAns[String(row.no)]) }), el("td", { text: num(row.score) + " / " + num(row.max) })]));
    });
    box.appendChild(el("table", { className: "klik-iid-print-table" }, [el("caption", { text: "Aspek SPD (level bagian dipisah garis miring)" }),
      el("thead", {}, [el("tr", {}, ["No", "Indikator", "Level", "Skor"].map(function (h) { return el("th", { text: h }); }))]), sb]));
    var ib = el("tbody");
    r.innovations.forEach(function (inn, i) {
      ib.appendChild(el("tr", {}, [el("td", { text: String(i + 1) }), el("td", { text: inn.name || "(tanpa nama)" }),
        el("td", { text: inn.rejected ? "Ditolak" : "Dinilai" }), el("td", { text: fmt(inn.score) + " / " + num(sc.sid_per_innovation_max.value) }),
        el("td", { text: inn.rejected ? "\u2014" : inn.missing.join(", ") || "lengkap" })]));
    });
    box.appendChild(el("table", { className: "klik-iid-print-table" }, [el("caption", { text: "Aspek SID per inovasi" }),
      el("thead", {}, [el("tr", {}, ["No", "Inovasi", "Status", "Skor SID", "Indikator belum dijawab"].map(function (h) {
        return el("th", { text: h });
      }))]), ib]));
    var params = K.PARAMETER_KEYS.map(function (key) {
      return p.parameter_labels[key] + " " + num(sc[key].value) + " (" + p.confidence[sc[key].confidence].label + ")";
    });
    box.appendChild(el("p", { className: "klik-iid-print__params", text: "Parameter: " + params.join("; ") + ". " +
      ed.score_rule.text + " (" + p.confidence[ed.score_rule.confidence].label + ")" }));
  };

  /* ---------------------------------------------------------- messages, I/O */

  Calculator.prototype.say = function (text) { this.message(text); };

  Calculator.prototype.message = function (text) {
    this.messageBox.textContent = text;
  };

  Calculator.prototype.showErrors = function (title, issues) {
    var box = this.errorBox;
    clear(box);
    box.appendChild(el("p", { className: "klik-iid-error__title", text: title }));
    var ul = el("ul");
    issues.slice(0, 20).forEach(function (i) {
      var where = i.path && i.path.length ? "Kunci `" + i.path.join(".") + "`: " : "";
      ul.appendChild(el("li", { text: where + i.problem + " Perbaikan: " + i.fix }));
    });
    if (issues.length > 20) ul.appendChild(el("li", { text: "dan " + (issues.length - 20) + " masalah lain." }));
    box.appendChild(ul);
    box.hidden = false;
    box.focus();
  };

  Calculator.prototype.hideErrors = function () { this.errorBox.hidden = true; clear(this.errorBox); };

  Calculator.prototype.exportAnswers = function () {
    var ans = this.answers();
    var out = { format: K.ANSWERS_FORMAT, version: K.ANSWERS_VERSION, edition: this.state.edition,
      spd: ans.spd, innovations: ans.innovations };
    var blob = new Blob([JSON.stringify(out, null, 2) + "\n"], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var a = el("a", { href: url, download: "jawaban-iid-" + this.state.edition + ".json" });
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    this.say("Jawaban diekspor ke berkas jawaban-iid-" + this.state.edition + ".json.");
  };

  Calculator.prototype.importFile = function (input) {
    var self = this, file = input.files && input.files[0];
    if (!file) return;
    var title = "Berkas \u201c" + file.name + "\u201d tidak dapat diimpor:";
    if (file.size > 2 * 1024 * 1024) {
      this.showErrors(title, [{ path: [], problem: "berkas terlalu besar (lebih dari 2 MB).",
        fix: "pilih berkas hasil ekspor kalkulator ini." }]);
      input.value = "";
      return;
    }
    var reader = new FileReader();
    reader.addEventListener("load", function () {
      input.value = "";
      var raw;
      try {
        raw = JSON.parse(String(reader.result));
      } catch (e) {
        self.showErrors(title, [{ path: [], problem: "isinya bukan JSON yang sah.",
          fix: "pilih berkas .json hasil ekspor kalkulator ini tanpa mengubahnya." }]);
        return;
      }
      var res = K.normaliseAnswers(self.editions, raw);
      if (res.issues.length) {
        self.showErrors(title, res.issues);
        return;
      }
      self.hideErrors();
      var year = String(res.answers.edition);
      self.state.edition = res.answers.edition;
      self.state.byEdition[year] = res.answers;
      self.state.current[year] = 0;
      self.save();
      self.root.querySelector("#" + self.id("edisi")).value = year;
      self.buildForms();
      self.update();
      self.say("Jawaban dari \u201c" + file.name + "\u201d diimpor: edisi " + year + ", " +
        res.answers.innovations.length + " inovasi.");
    });
    reader.addEventListener("error", function () {
      self.showErrors(title, [{ path: [], problem: "berkas tidak dapat dibaca.", fix: "coba pilih berkasnya lagi." }]);
    });
    reader.readAsText(file);
  };

  Calculator.prototype.resetEdition = function () {
    if (!window.confirm("Hapus semua jawaban edisi " + this.state.edition + " di peramban ini?")) return;
    this.state.byEdition[String(this.state.edition)] = this.emptyAnswers(this.state.edition);
    this.setCurrent(0);
    this.save();
    this.hideErrors();
    this.buildForms();
    this.update();
    this.say("Semua jawaban edisi " + this.state.edition + " dihapus.");
  };

  /* ------------------------------------------------------------- page wiring */

  function init() {
    var root = document.querySelector("[data-klik-iid]");
    if (root && root.getAttribute("data-ready") === "true") return;  // already running here
    if (pageController) pageController.abort();  // a new page: forget the previous one
    pageController = typeof AbortController !== "undefined" ? new AbortController() : null;
    var signal = pageController ? pageController.signal : null;
    if (!root) return;
    root.setAttribute("data-ready", "true");
    var url = root.getAttribute("data-src");
    loadPayload(url).then(function (payload) {
      if (signal && signal.aborted) return;
      root.klikCalculator = new Calculator(root, payload, signal);
    }).catch(function () {
      var loading = root.querySelector("[data-role=loading]");
      if (loading) {
        loading.textContent = "Data kalkulator tidak dapat dimuat. Periksa sambungan, lalu muat ulang halaman.";
        loading.className += " klik-iid-error";
      }
    });
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
