/* Search page: loads the language's lunr index in parts, only when the visitor searches.
 *
 * The tokenizer below is the twin of plugins/portal_search/tokenize.py (the shared cases in
 * tests/search_tokenizer_cases.json prove they agree). The index comes in term shards built by
 * plugins/portal_search/index.py; mergeIndex() rebuilds a lunr.Index from the shards a query
 * needs, with each field vector's global norm, so lunr ranks exactly as with the whole index.
 * No inline script: settings and translated strings come from the JSON block #search-config.
 */
(function (root) {
  "use strict";

  var CJK = "\u3005\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff" +
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3";
  var RUN_SOURCE = "([" + CJK + "]+)|((?:(?![" + CJK + "])[\\p{L}\\p{N}])+)";
  var CJK_START = new RegExp("^[" + CJK + "]");
  var HANGUL_START = /^[\uac00-\ud7a3\u1100-\u11ff\u3131-\u318e]/;
  var PAGE_SIZE = 10;

  function normalize(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  /* [[cjkRun, word], …] of a normalized text, as Python's RUN.findall gives them. */
  function runs(text) {
    var found = [], re = new RegExp(RUN_SOURCE, "gu"), m;
    while ((m = re.exec(text)) !== null) found.push([m[1] || "", m[2] || "", m.index]);
    return found;
  }

  function splitRuns(text, query) {
    var found = [];
    runs(normalize(text)).forEach(function (run) {
      var cjk = run[0];
      if (run[1]) { found.push(run[1]); return; }
      if (cjk.length === 1) { found.push(cjk); return; }
      for (var i = 0; i < cjk.length - 1; i++) found.push(cjk.slice(i, i + 2));
      if (!query) found.push(cjk.slice(-1));
    });
    return found;
  }

  function isCjk(term) { return CJK_START.test(term); }

  function stem(term, english) {
    if (!english || isCjk(term)) return term;
    var lunr = root.lunr;
    var token = lunr.stopWordFilter(new lunr.Token(term));
    return token ? lunr.stemmer(token).toString() : null;
  }

  /* The terms of a text as the index stores them, or with `query` as a query asks. */
  function terms(text, english, query) {
    return splitRuns(text, query).map(function (t) { return stem(t, english); })
      .filter(Boolean);
  }

  /* Terms are keys of plain objects: a term such as "constructor" must not find what every
   * object inherits. */
  function hasOwn(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  function fnv1a(text) {
    var hash = 0x811c9dc5;
    for (var ch of text) hash = Math.imul(hash ^ ch.codePointAt(0), 0x01000193) >>> 0;
    return hash;
  }

  /* The shards a clause needs (index.py's _shard): a term goes by its key (a CJK term by its
   * first character, others by themselves) into one of the first meta.shards by the key's
   * hash, unless the key has shards of its own, [first, count]: then among them by the term's
   * own hash, and a prefix over that key needs all of them. */
  function shardsOf(clause, meta) {
    var term = clause.term, key = isCjk(term) ? term.charAt(0) : term;
    var own = hasOwn(meta.own, key) ? meta.own[key] : null;
    if (!own) return [fnv1a(key) % meta.shards];
    if (!clause.prefix) return [own[0] + fnv1a(term) % own[1]];
    var all = [];
    for (var n = 0; n < own[1]; n++) all.push(own[0] + n);
    return all;
  }

  /* Query clauses: every word and Han or kana bigram is required; a Korean word requires its
   * first bigram only, so a particle (정책을) does not hide the bare word (정책); a single
   * character is a prefix, matching itself and every bigram it starts. */
  function plan(text, english) {
    var clauses = [], seen = Object.create(null);
    function add(term, required, prefix) {
      if (!term || seen[term]) return;
      seen[term] = true;
      clauses.push({ term: term, required: required, prefix: prefix });
    }
    runs(normalize(text)).forEach(function (run) {
      var cjk = run[0];
      if (run[1]) return add(stem(run[1], english), true, false);
      if (cjk.length === 1) return add(cjk, true, true);
      var hangul = HANGUL_START.test(cjk);
      for (var i = 0; i < cjk.length - 1; i++) add(cjk.slice(i, i + 2), !hangul || i === 0, false);
    });
    return clauses;
  }

  /* One lunr.Index from loaded shards: postings and field-vector elements of their terms,
   * with the norms of the whole index, so scores equal those of the unsplit index. */
  function mergeIndex(meta, shards) {
    var lunr = root.lunr, all = {}, inverted = {}, elements = {}, fieldVectors = {};
    shards.forEach(function (shard) {
      Object.keys(shard).forEach(function (term) { all[term] = shard[term]; });
    });
    var words = Object.keys(all).sort();
    words.forEach(function (term, index) {
      var posting = { _index: index };
      meta.fields.forEach(function (field, f) {
        var list = all[term][f], docs = {};
        for (var k = 0; k < list.length; k += 2) {
          var ref = field + "/" + list[k];
          docs[list[k]] = {};
          (elements[ref] = elements[ref] || []).push(index, list[k + 1]);
        }
        posting[field] = docs;
      });
      inverted[term] = posting;
    });
    Object.keys(elements).forEach(function (ref) {
      var vector = new lunr.Vector(elements[ref]), parts = ref.split("/");
      vector._magnitude = meta.norms[parts[0]][+parts[1]];
      fieldVectors[ref] = vector;
    });
    return new lunr.Index({
      invertedIndex: inverted, fieldVectors: fieldVectors, fields: meta.fields,
      tokenSet: lunr.TokenSet.fromArray(words), pipeline: new lunr.Pipeline()
    });
  }

  function runQuery(index, clauses, strict) {
    var lunr = root.lunr;
    return index.query(function (q) {
      clauses.forEach(function (c) {
        q.term(c.term, {
          usePipeline: false,
          wildcard: c.prefix ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE,
          presence: strict && c.required ? lunr.Query.presence.REQUIRED
            : lunr.Query.presence.OPTIONAL
        });
      });
    });
  }

  /* Loads and caches the parts of one language's index under `base`. */
  function Engine(base, fetchJson) {
    this.base = base;
    this.fetchJson = fetchJson || function (url) {
      return fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.json();
      });
    };
    this.cache = {};
    this.index = null;
    this.indexKey = "";
  }

  Engine.prototype.get = function (path) {
    if (!this.cache[path]) this.cache[path] = this.fetchJson(this.base + path);
    return this.cache[path];
  };

  Engine.prototype.meta = function () { return this.get("meta.json"); };

  /* Hits of a query, best first: {ref, score, section, year}; `partial` when no page has
   * every word and pages with some of them are shown instead. */
  Engine.prototype.search = function (text) {
    var self = this;
    return this.meta().then(function (meta) {
      var clauses = plan(text, meta.english);
      if (!clauses.length) return { hits: [], partial: false, clauses: clauses, meta: meta };
      var wanted = {};
      clauses.forEach(function (c) {
        shardsOf(c, meta).forEach(function (n) { wanted[n] = true; });
      });
      Object.keys(self.loaded || {}).forEach(function (n) { wanted[n] = true; });
      var numbers = Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; });
      return Promise.all(numbers.map(function (n) { return self.get("t/" + n + ".json"); }))
        .then(function (shards) {
          var key = numbers.join(",");
          if (key !== self.indexKey) {
            self.index = mergeIndex(meta, shards);
            self.indexKey = key;
            self.loaded = wanted;
          }
          var found = runQuery(self.index, clauses, true), partial = false;
          if (!found.length && clauses.length > 1) {
            found = runQuery(self.index, clauses, false);
            partial = found.length > 0;
          }
          return {
            partial: partial, clauses: clauses, meta: meta,
            hits: found.map(function (h) {
              var ref = +h.ref;
              return { ref: ref, score: h.score, section: meta.sections[meta.section[ref]],
                year: meta.year[ref] };
            })
          };
        });
    });
  };

  /* Result data of documents: [url, title, section, isoDate, dateLabel, summary]. */
  Engine.prototype.records = function (refs) {
    var self = this;
    return this.meta().then(function (meta) {
      return Promise.all(refs.map(function (ref) {
        return self.get("d/" + Math.floor(ref / meta.chunk) + ".json").then(function (chunk) {
          return chunk[ref % meta.chunk];
        });
      }));
    });
  };

  /* [[text, marked], …]: a text cut where query terms match, for <mark>. */
  function highlight(text, clauses, english) {
    var wanted = Object.create(null), prefixes = Object.create(null);
    var marks = new Array(text.length).fill(false);
    clauses.forEach(function (c) { (c.prefix ? prefixes : wanted)[c.term] = true; });
    runs(text).forEach(function (run) {
      var start = run[2];
      if (run[1]) {
        var word = run[1];
        if (wanted[stem(normalize(word), english)]) {
          for (var w = 0; w < word.length; w++) marks[start + w] = true;
        }
        return;
      }
      var cjk = run[0];
      for (var i = 0; i < cjk.length; i++) {
        var one = normalize(cjk.charAt(i));
        if (prefixes[one]) marks[start + i] = true;
        if (i + 1 < cjk.length && wanted[one + normalize(cjk.charAt(i + 1))]) {
          marks[start + i] = marks[start + i + 1] = true;
        }
      }
    });
    var parts = [];
    for (var k = 0; k < text.length; k++) {
      var last = parts[parts.length - 1];
      if (last && last[1] === marks[k]) last[0] += text.charAt(k);
      else parts.push([text.charAt(k), marks[k]]);
    }
    return parts;
  }

  var api = { normalize: normalize, terms: terms, plan: plan, shardsOf: shardsOf,
    mergeIndex: mergeIndex, highlight: highlight, Engine: Engine };
  root.PortalSearch = api;
  if (typeof module === "object" && module.exports) module.exports = api;

  /* ---------------------------------------------------------------- the page */

  if (typeof document === "undefined") return;
  var configNode = document.getElementById("search-config");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var engine = new Engine(config.base);
  var t = config.strings;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var filters = document.getElementById("search-filters");
  var sectionSelect = document.getElementById("search-section");
  var yearSelect = document.getElementById("search-year");
  var more = document.getElementById("search-more");
  var empty = document.getElementById("search-empty");
  var numberFormat = new Intl.NumberFormat(config.lang);
  var plural = new Intl.PluralRules(config.lang);
  var state = { result: null, shown: 0, filtered: [] };
  var params = new URLSearchParams(root.location.search);

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function el(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function appendMarked(parent, text, clauses) {
    highlight(text, clauses, state.result.meta.english).forEach(function (part) {
      parent.appendChild(part[1] ? el("mark", "", part[0]) : document.createTextNode(part[0]));
    });
  }

  function setOptions(select, allLabel, counts, label) {
    var current = select.value || select.dataset.initial || "";
    select.textContent = "";
    var all = el("option", "", allLabel);
    all.value = "";
    select.appendChild(all);
    counts.forEach(function (entry) {
      var option = el("option", "", label(entry[0]) + " (" + numberFormat.format(entry[1]) + ")");
      option.value = String(entry[0]);
      select.appendChild(option);
    });
    select.value = counts.some(function (e) { return String(e[0]) === current; }) ? current : "";
    delete select.dataset.initial;
  }

  function tally(hits, key) {
    var counts = {};
    hits.forEach(function (h) { counts[h[key]] = (counts[h[key]] || 0) + 1; });
    return Object.keys(counts).map(function (k) { return [k, counts[k]]; });
  }

  function updateFilters(hits) {
    var sections = tally(hits, "section").sort(function (a, b) {
      return config.sectionOrder.indexOf(a[0]) - config.sectionOrder.indexOf(b[0]);
    });
    var years = tally(hits, "year").sort(function (a, b) { return b[0] - a[0]; });
    setOptions(sectionSelect, t.allSections, sections, function (s) {
      return config.sections[s] || s;
    });
    setOptions(yearSelect, t.allYears, years, function (y) { return String(y); });
    filters.hidden = hits.length === 0;
  }

  function announce(text) { status.textContent = text; }

  function countText(count, query) {
    var forms = t.count[plural.select(count)] || t.count.other;
    return fill(forms, { count: numberFormat.format(count), query: query });
  }

  function render(focusFirstNew) {
    var query = input.value.trim(), result = state.result;
    var hits = result.hits.filter(function (h) {
      return (!sectionSelect.value || h.section === sectionSelect.value) &&
        (!yearSelect.value || String(h.year) === yearSelect.value);
    });
    state.filtered = hits;
    var from = state.shown, to = Math.min(hits.length, Math.max(PAGE_SIZE, from));
    if (focusFirstNew) to = Math.min(hits.length, from + PAGE_SIZE);
    else { list.textContent = ""; from = 0; }
    var refs = hits.slice(from, to).map(function (h) { return h.ref; });
    return engine.records(refs).then(function (records) {
      var firstLink = null;
      records.forEach(function (record, i) {
        var item = el("li", "search-result"), heading = el("h2", "search-result__title");
        var link = el("a");
        link.href = record[0];
        appendMarked(link, record[1], result.clauses);
        heading.appendChild(link);
        var meta = el("p", "search-result__meta");
        meta.appendChild(el("span", "search-result__section",
          config.sections[hits[from + i].section] || hits[from + i].section));
        meta.appendChild(document.createTextNode(" · "));
        var time = el("time", "", record[4]);
        time.setAttribute("datetime", record[3]);
        meta.appendChild(time);
        var snippet = el("p", "search-result__snippet");
        appendMarked(snippet, record[5], result.clauses);
        item.appendChild(heading);
        item.appendChild(meta);
        item.appendChild(snippet);
        list.appendChild(item);
        if (!firstLink) firstLink = link;
      });
      state.shown = to;
      more.hidden = to >= hits.length;
      empty.hidden = hits.length > 0;
      var text = hits.length ? countText(hits.length, query) : fill(t.none, { query: query });
      if (hits.length && result.partial) text += " " + t.partial;
      announce(text);
      if (focusFirstNew && firstLink) firstLink.focus();
    });
  }

  function remember() {
    var url = new URL(root.location.href);
    url.searchParams.set("q", input.value.trim());
    ["section", "year"].forEach(function (name) {
      var value = (name === "section" ? sectionSelect : yearSelect).value;
      if (value) url.searchParams.set(name, value); else url.searchParams.delete(name);
    });
    root.history.replaceState(null, "", url.toString());
  }

  function run() {
    var query = input.value.trim();
    if (!query) {
      announce(t.enter);
      return Promise.resolve();
    }
    announce(t.searching);
    return engine.search(query).then(function (result) {
      state.result = result;
      state.shown = 0;
      updateFilters(result.hits);
      return render(false);
    }).catch(function () {
      announce(t.failed);
    });
  }

  function refilter() {
    state.shown = 0;
    remember();
    api.ready = render(false);
  }

  sectionSelect.dataset.initial = params.get("section") || "";
  yearSelect.dataset.initial = params.get("year") || "";
  sectionSelect.addEventListener("change", refilter);
  yearSelect.addEventListener("change", refilter);
  more.addEventListener("click", function () { api.ready = render(true); });
  input.addEventListener("input", function () { engine.meta().catch(function () {}); },
    { once: true });
  form.addEventListener("submit", function (event) {
    if (!input.value.trim()) {
      event.preventDefault();
      announce(t.enter);
      input.focus();
    }
  });
  input.value = params.get("q") || "";
  /* The language switcher carries the query to the other languages' search pages. */
  var carried = "?q=" + encodeURIComponent(input.value.trim());
  if (input.value.trim()) {
    document.querySelectorAll(".language-switcher a[href$='/search/']").forEach(function (a) {
      a.setAttribute("href", a.getAttribute("href") + carried);
    });
  }
  api.ready = input.value.trim() ? run() : Promise.resolve();
})(typeof window !== "undefined" ? window : globalThis);
