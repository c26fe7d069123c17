/* IID self-assessment: scoring and answer validation, no DOM.
 *
 * The same rules, in the same order of arithmetic, as guidebook/iid.py, so Python
 * and the browser give identical numbers (tests run shared vectors through both).
 * Every number comes from the edition data (site/alat/iid-data.json).
 * Exposes window.KlikIID (and module.exports under Node).
 */
(function (root) {
  "use strict";

  var ANSWERS_FORMAT = "klik-iid-answers";
  var ANSWERS_VERSION = 1;
  var PARAMETER_KEYS = ["spd_max", "sid_per_innovation_max", "count_max", "total_max",
    "divisor_min", "count_weight", "count_cap", "level_max"];
  var TOP_KEYS = ["format", "version", "edition", "spd", "innovations"];
  var INNOVATION_KEYS = ["name", "rejected", "answers"];

  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }
  function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function isInt(v) { return typeof v === "number" && isFinite(v) && Math.floor(v) === v; }

  function parameters(edition) {
    var out = {};
    PARAMETER_KEYS.forEach(function (k) { out[k] = edition.scoring[k].value; });
    return out;
  }

  /* Round half up to two decimals (same double operations as Python's round2). */
  function round2(x) { return Math.floor(x * 100 + 0.5) / 100; }

  function predicateFor(edition, rounded) {
    var bands = edition.predicates, i, best = null;
    for (i = 0; i < bands.length; i++) {
      if (bands[i].min <= rounded && rounded <= bands[i].max) return bands[i].name;
    }
    for (i = 0; i < bands.length; i++) {
      if (bands[i].min <= rounded && (best === null || bands[i].min > best.min)) best = bands[i];
    }
    if (best) return best.name;
    for (i = 0; i < bands.length; i++) {
      if (best === null || bands[i].min < best.min) best = bands[i];
    }
    return best.name;
  }

  function level(v) { return isInt(v) && typeof v !== "boolean" ? v : 0; }

  /* [score, fully answered] of one indicator. */
  function scoreIndicator(ind, answer) {
    var parts = ind.parts || [];
    if (parts.length) {
      var a = isObject(answer) ? answer : {};
      var score = 0, answered = true;
      parts.forEach(function (p) {
        score += p.weight * level(has(a, p.id) ? a[p.id] : undefined);
        if (!has(a, p.id)) answered = false;
      });
      return [score, answered];
    }
    return [ind.weight * level(answer), answer !== undefined && answer !== null];
  }

  function aspectScores(edition, aspect, answers) {
    var levelMax = parameters(edition).level_max;
    var rows = [], total = 0, missing = [];
    edition.indicators.forEach(function (ind) {
      if (ind.aspect !== aspect) return;
      var key = String(ind.no);
      var r = scoreIndicator(ind, has(answers, key) ? answers[key] : undefined);
      rows.push({ no: ind.no, score: r[0], max: ind.weight * levelMax, answered: r[1] });
      total += r[0];
      if (!r[1]) missing.push(ind.no);
    });
    return { rows: rows, total: total, missing: missing };
  }

  /* The full breakdown for normalised answers (keys are indicator numbers as strings). */
  function compute(edition, answers) {
    var p = parameters(edition);
    var spd = aspectScores(edition, "SPD", answers.spd || {});
    var mandatory = {};
    edition.indicators.forEach(function (i) { if (i.mandatory) mandatory[i.no] = true; });
    var innovations = [], sidSum = 0;
    (answers.innovations || []).forEach(function (inn) {
      var s = aspectScores(edition, "SID", inn.answers || {});
      var rejected = !!inn.rejected;
      var total = rejected ? 0 : s.total;
      var missing = rejected ? [] : s.missing;
      innovations.push({
        name: inn.name || "", rejected: rejected, score: total, indicators: s.rows,
        missing: missing, mandatory_missing: missing.filter(function (no) { return mandatory[no]; })
      });
      sidSum += total;
    });
    var n = innovations.length;
    var divisor = Math.max(p.divisor_min, n);
    var sidAverage = sidSum / divisor;
    var countScore = Math.min(p.count_weight * Math.min(n, p.count_cap), p.count_max);
    var sid = sidAverage + countScore;
    var total = spd.total + sid;
    var iid = total / p.total_max * 100;
    var rounded = round2(iid);
    return {
      edition: edition.year,
      spd: { indicators: spd.rows, score: spd.total, max: p.spd_max, missing: spd.missing },
      innovations: innovations, n: n, divisor: divisor, sid_sum: sidSum, sid_average: sidAverage,
      count_score: countScore, sid: sid, total: total, iid: iid, iid_rounded: rounded,
      predicate: predicateFor(edition, rounded)
    };
  }

  /* ---------------------------------------------------------------- validation */

  function issue(path, code, problem, fix) { return { path: path, code: code, problem: problem, fix: fix }; }

  function numberKey(key) { return /^[0-9]{1,5}$/.test(key) ? parseInt(key, 10) : null; }

  function isLevel(v, max) { return isInt(v) && v >= 0 && v <= max; }

  function levelIssue(path, no, value, max) {
    return issue(path, "level-di-luar-rentang",
      "level `" + String(value) + "` untuk indikator " + no + " di luar rentang 0 sampai " + max + ".",
      "isi bilangan bulat 0 sampai " + max + " (0 = tidak ada data dukung yang sah), atau kosongkan bila belum dijawab.");
  }

  function checkAspect(edition, aspect, raw, path, issues) {
    var out = {};
    if (raw === undefined || raw === null) return out;
    var where = aspect === "SPD" ? "bagian `spd`" : "jawaban inovasi";
    if (!isObject(raw)) {
      issues.push(issue(path, "bentuk-salah", where + " harus berupa kumpulan nomor indikator: level.",
        "tulis setiap jawaban sebagai `nomor: level`, misalnya `16: 2`."));
      return out;
    }
    var levelMax = parameters(edition).level_max;
    var byNo = {};
    edition.indicators.forEach(function (i) { byNo[i.no] = i; });
    Object.keys(raw).forEach(function (key) {
      var here = path.concat([key]);
      var no = numberKey(key);
      var ind = no !== null && has(byNo, no) ? byNo[no] : null;
      var value = raw[key];
      if (!ind) {
        var nos = edition.indicators.filter(function (i) { return i.aspect === aspect; })
          .map(function (i) { return i.no; });
        issues.push(issue(here, "indikator-tidak-dikenal",
          "indikator `" + key + "` tidak ada dalam edisi " + edition.year + ".",
          nos.length ? "gunakan nomor indikator " + aspect + " " + nos[0] + " sampai " + nos[nos.length - 1] + "."
            : "hapus jawaban ini."));
        return;
      }
      if (ind.aspect !== aspect) {
        issues.push(issue(here, "aspek-salah",
          "indikator " + no + " termasuk aspek " + ind.aspect + ", bukan " + aspect + ".",
          "pindahkan jawaban indikator " + no + " ke " +
          (ind.aspect === "SPD" ? "bagian `spd`." : "`answers` setiap inovasi.")));
        return;
      }
      var parts = ind.parts || [];
      if (parts.length) {
        var ids = parts.map(function (p) { return p.id; });
        if (!isObject(value)) {
          issues.push(issue(here, "bagian-diperlukan",
            "indikator " + no + " terdiri atas beberapa bagian (" + ids.join(", ") + ").",
            "tulis level tiap bagian, misalnya `" + no + ": {" + ids[0] + ": 2, " + ids[1] + ": 3}`."));
          return;
        }
        var clean = {};
        Object.keys(value).forEach(function (pid) {
          if (ids.indexOf(pid) < 0) {
            issues.push(issue(here.concat([pid]), "bagian-tidak-dikenal",
              "indikator " + no + " tidak punya bagian `" + pid + "`.",
              "gunakan salah satu dari: " + ids.join(", ") + "."));
          } else if (!isLevel(value[pid], levelMax)) {
            issues.push(levelIssue(here.concat([pid]), no, value[pid], levelMax));
          } else {
            clean[pid] = value[pid];
          }
        });
        out[String(no)] = clean;
      } else if (!isLevel(value, levelMax)) {
        issues.push(levelIssue(here, no, value, levelMax));
      } else {
        out[String(no)] = value;
      }
    });
    return out;
  }

  /* Check raw answers against editions ({year: edition}); returns {answers, issues}. */
  function normaliseAnswers(editions, raw) {
    var issues = [];
    if (!isObject(raw)) {
      return { answers: null, issues: [issue([], "bentuk-salah", "isi berkas bukan kumpulan kunci: nilai.",
        "mulailah dari berkas hasil ekspor kalkulator.")] };
    }
    Object.keys(raw).forEach(function (key) {
      if (TOP_KEYS.indexOf(key) < 0) {
        issues.push(issue([key], "kunci-tidak-dikenal", "kunci `" + key + "` tidak dikenal.",
          "hapus kunci ini; kunci yang boleh: " + TOP_KEYS.join(", ") + "."));
      }
    });
    if (has(raw, "format") && raw.format !== ANSWERS_FORMAT) {
      issues.push(issue(["format"], "format-salah", "format `" + String(raw.format) + "` bukan berkas jawaban IID.",
        "gunakan berkas hasil ekspor kalkulator (format `" + ANSWERS_FORMAT + "`)."));
    }
    if (has(raw, "version") && raw.version !== ANSWERS_VERSION) {
      issues.push(issue(["version"], "format-salah", "versi berkas `" + String(raw.version) + "` tidak didukung.",
        "gunakan versi " + ANSWERS_VERSION + " (ekspor ulang dari kalkulator)."));
    }
    var years = Object.keys(editions).sort();
    var year = raw.edition;
    var edition = isInt(year) && has(editions, String(year)) ? editions[String(year)] : null;
    if (!edition) {
      var problem = year === undefined ? "kunci `edition` (tahun edisi pengukuran) tidak ada."
        : "edisi `" + String(year) + "` tidak dikenal.";
      issues.push(issue(["edition"], "edisi-tidak-dikenal", problem,
        "tulis salah satu tahun edisi yang tersedia: " + years.join(", ") + "."));
      return { answers: null, issues: issues };
    }
    var spd = checkAspect(edition, "SPD", raw.spd, ["spd"], issues);
    var innovations = [];
    var rawInns = raw.innovations;
    if (rawInns !== undefined && rawInns !== null && !Array.isArray(rawInns)) {
      issues.push(issue(["innovations"], "bentuk-salah", "`innovations` harus berupa daftar inovasi.",
        "tulis setiap inovasi sebagai butir daftar."));
      rawInns = [];
    }
    (rawInns || []).forEach(function (inn, k) {
      var here = ["innovations", k];
      if (!isObject(inn)) {
        issues.push(issue(here, "bentuk-salah", "inovasi ke-" + (k + 1) + " bukan kumpulan kunci: nilai.",
          "tulis `name`, `rejected`, dan `answers` untuk setiap inovasi."));
        return;
      }
      Object.keys(inn).forEach(function (key) {
        if (INNOVATION_KEYS.indexOf(key) < 0) {
          issues.push(issue(here.concat([key]), "kunci-tidak-dikenal", "kunci `" + key + "` tidak dikenal.",
            "kunci yang boleh untuk inovasi: " + INNOVATION_KEYS.join(", ") + "."));
        }
      });
      var name = has(inn, "name") ? inn.name : "Inovasi " + (k + 1);
      if (typeof name !== "string") {
        issues.push(issue(here.concat(["name"]), "bentuk-salah", "nama inovasi harus berupa teks.",
          "tulis nama inovasi di antara tanda kutip."));
        name = "Inovasi " + (k + 1);
      }
      var rejected = has(inn, "rejected") ? inn.rejected : false;
      if (typeof rejected !== "boolean") {
        issues.push(issue(here.concat(["rejected"]), "bentuk-salah", "`rejected` harus true atau false.",
          "tulis true untuk inovasi yang ditolak, selain itu false."));
        rejected = false;
      }
      var answers = checkAspect(edition, "SID", inn.answers, here.concat(["answers"]), issues);
      innovations.push({ name: name, rejected: rejected, answers: answers });
    });
    if (issues.length) return { answers: null, issues: issues };
    return { answers: { edition: year, spd: spd, innovations: innovations }, issues: [] };
  }

  /* Keep what still fits the edition (stored answers after the data changed).
   * Returns {answers, dropped}: dropped counts the answers that had to go. */
  function sanitiseAnswers(edition, raw) {
    var dropped = 0;
    function keep(aspect, src) {
      var out = {};
      if (!isObject(src)) return out;
      Object.keys(src).forEach(function (key) {
        var one = {}, issues = [];
        one[key] = src[key];
        var clean = checkAspect(edition, aspect, one, [], issues);
        dropped += issues.length;
        if (has(clean, key)) out[key] = clean[key];
      });
      return out;
    }
    raw = isObject(raw) ? raw : {};
    var inns = Array.isArray(raw.innovations) ? raw.innovations.filter(isObject) : [];
    var answers = {
      edition: edition.year,
      spd: keep("SPD", raw.spd),
      innovations: inns.map(function (inn, k) {
        return {
          name: typeof inn.name === "string" ? inn.name : "Inovasi " + (k + 1),
          rejected: inn.rejected === true,
          answers: keep("SID", inn.answers)
        };
      })
    };
    return { answers: answers, dropped: dropped };
  }

  var api = {
    ANSWERS_FORMAT: ANSWERS_FORMAT, ANSWERS_VERSION: ANSWERS_VERSION, PARAMETER_KEYS: PARAMETER_KEYS,
    parameters: parameters, round2: round2, predicateFor: predicateFor, scoreIndicator: scoreIndicator,
    compute: compute, normaliseAnswers: normaliseAnswers, sanitiseAnswers: sanitiseAnswers
  };
  root.KlikIID = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : this);
