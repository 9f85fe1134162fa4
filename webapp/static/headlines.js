/* Headlines widget (see /syndicate): our JSON Feed as text, never HTML, in a shadow root. */
(function () {
  "use strict";
  if (window.FeedsHeadlines) return window.FeedsHeadlines.scan(); // pasted twice
  var BASE = document.currentScript.src.replace(/\/embed\/headlines\.js([?#].*)?$/, "");
  var SPEC = /^(all|(?:country|topic|region)\/[a-z0-9-]+)(?:[?&]([^#]*))?$/i;
  var CSS = ":host{display:block}ul{list-style:none;margin:0;padding:0}li{margin:0 0 .75em}" +
    "a{color:inherit;font-weight:600}time{display:block;font-size:.85em;opacity:.75}" +
    "p{margin:.25em 0 0}";
  var roots = new WeakMap();
  var latest = new WeakMap();
  var sheet;

  function make(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs) if (attrs[name] != null) node.setAttribute(name, attrs[name]);
    if (text) node.textContent = text;
    return node;
  }

  function shadow(el) {
    var root = roots.get(el);
    if (root) return root;
    try {
      root = el.attachShadow({ mode: "open" });
    } catch (e) { // <ul>, <a>… cannot host one
      root = el.appendChild(make("div")).attachShadow({ mode: "open" });
    }
    try {
      if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(CSS);
      root.adoptedStyleSheets = [sheet]; // not under the CSP's style-src
    } catch (e) {
      root.appendChild(make("style", {}, CSS));
    }
    roots.set(el, root);
    return root;
  }

  function show(el, node) {
    var root = shadow(el);
    var old = root.lastElementChild;
    if (old && old.tagName !== "STYLE") root.removeChild(old);
    root.appendChild(node);
    el.removeAttribute("aria-busy");
  }

  function warn(spec, why) { console.warn("FeedsHeadlines: " + spec + ": " + why); }

  function fallback(el, href, text) {
    var p = make("p", { part: "fallback" });
    p.appendChild(make("a", { href: href, part: "link" }, text || "Latest headlines"));
    show(el, p);
  }

  function list(feed, items, summary, page, target) {
    var lang = feed.language || null;
    var ul = make("ul", { part: "list", lang: lang, "aria-label": feed.title || "Headlines" });
    items.forEach(function (item) {
      var li = ul.appendChild(make("li", { part: "item" }));
      var href = /^https?:\/\//i.test(item.url) ? item.url : page;
      var attrs = { href: href, part: "link", target: target, rel: target && "noopener" };
      li.appendChild(make("a", attrs, item.title || href));
      var date = String(item.date_published).slice(0, 10);
      if (/^\d{4}-\d\d-\d\d$/.test(date)) {
        var shown = date;
        try {
          shown = new Date(date + "T12:00Z").toLocaleDateString(lang || undefined,
            { dateStyle: "long", timeZone: "UTC" });
        } catch (e) {} // unknown language: ISO date
        li.appendChild(make("time", { datetime: date, part: "date" }, shown));
      }
      var text = summary && String(item.content_text || "").split(/\n\s*\n/)[0];
      if (text.length > 200) text = text.slice(0, 199).replace(/\s+\S*$/, "") + "…";
      if (text) li.appendChild(make("p", { part: "summary" }, text));
    });
    return ul;
  }

  function render(el) {
    shadow(el);
    var spec = (el.dataset.feedsHeadlines || "all").trim();
    var match = SPEC.exec(spec);
    if (!match) return warn(spec, "not a feed"), fallback(el, BASE + "/");
    var path = match[1].toLowerCase();
    var query = new URLSearchParams(match[2] || "");
    query.delete("limit");
    query.delete("page");
    var filters = "" + query;
    var page = BASE + "/" + (path === "all" ? "" : path) + (filters ? "?" + filters : "");
    var limit = Math.min(20, Math.max(1, parseInt(el.dataset.limit, 10) || 5));
    var summary = el.dataset.summary === "true";
    var target = el.dataset.target;
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, 1e4); // a hung server
    query.set("limit", limit);
    latest.set(el, abort);
    el.setAttribute("aria-busy", "true");
    fetch(BASE + "/feeds/" + path + ".json?" + query, { signal: abort.signal })
      .then(function (response) {
        if (response.ok) return response.json();
        return response.text().then(function (text) { throw Error(text || response.status); });
      })
      .then(function (feed) {
        var items = (feed.items || []).slice(0, limit);
        if (latest.get(el) !== abort) return; // re-rendered since
        if (!items.length) return fallback(el, page, "No headlines yet: " + feed.title);
        var ul = list(feed, items, summary, page, target);
        if (el.dataset.subscribe === "true") // our sign-up page, with this feed chosen
          ul.appendChild(make("li", { part: "item" })).appendChild(make("a",
            { href: BASE + "/subscribe?feed=" + path, part: "subscribe" }, "Get these by e-mail"));
        show(el, ul);
      })
      .catch(function (e) {
        if (latest.get(el) === abort) warn(spec, e.message), fallback(el, page);
      })
      .then(function () { clearTimeout(timer); });
  }

  function scan() {
    var found = document.querySelectorAll("[data-feeds-headlines]");
    Array.prototype.forEach.call(found, function (el) { if (!roots.has(el)) render(el); });
  }

  window.FeedsHeadlines = { scan: scan, render: render };
  scan();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
})();
