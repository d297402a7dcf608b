/* fedsite: search across the federation (issue 17, SPEC §6).
   Every page: `/` or `s` focuses the header's search box, Esc empties and leaves it.
   The search page (search.html?q=…&scope=site|members|all): asks Pagefind's engine (search/pagefind.js
   at the output's root) with the bundles of this organization's subtree (settled and this month's), or
   every bundle merged for the whole federation, filtered by organization (fedsite/outputs/search.py). */
(function () {
  "use strict";

  var PAGE_SIZE = 10;

  function typingIn(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    var box = document.querySelector("[data-fed-search-box] input");
    if (!box || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && event.target === box) {
      box.value = "";
      box.blur();
    } else if (!typingIn(event.target) && (event.key === "/" || event.key === "s" || event.code === "KeyS")) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  var page = document.getElementById("fed-search");
  if (!page) return;

  var form = page.querySelector("form");
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("fed-search-status");
  var list = document.getElementById("fed-search-results");
  var more = document.getElementById("fed-search-more");
  var indexBase = new URL(page.getAttribute("data-index"), location.href);
  var rootPath = new URL("..", indexBase).pathname;
  var org = page.getAttribute("data-org");
  var ownBundle = page.getAttribute("data-bundle");
  var engine = null;
  var listing = null;
  var merged = {};
  var pending = [];
  var asked = 0;

  function loadEngine() {
    if (!engine) {
      engine = import(new URL("pagefind.js", indexBase).href).then(function (pagefind) {
        return pagefind.options({ baseUrl: rootPath, excerptLength: 24 }).then(function () { return pagefind; });
      });
    }
    return engine;
  }

  // The bundles to merge (paths under search/), from search/bundles.json (outputs/search.py): every
  // subtree's settled part (sub/<id>/) and each recent part that has posts this month (recent/<id>/, a
  // group of subtrees: recent_of names each subtree's).
  // The root's own settled pages are the engine's own bundle, always loaded.
  function bundlesFor(scope) {
    if (!listing) {
      // revalidated: a listing kept from before the month turned would name recent bundles that are gone
      listing = fetch(new URL("bundles.json", indexBase).href, { cache: "no-cache" })
        .then(function (r) { return r.json(); });
    }
    return listing.then(function (data) {
      var recent = data.recent || [];
      var parts = [];
      if (scope === "all" || (scope === "members" && !ownBundle)) {
        data.subtrees.forEach(function (id) { parts.push("sub/" + id + "/"); });
        recent.forEach(function (id) { parts.push("recent/" + id + "/"); });
      } else {
        var own = ownBundle || org;  // the root's page: its own recent part is named by its id
        if (ownBundle) parts.push("sub/" + own + "/");
        var group = (data.recent_of || {})[own] || own;  // members' subtrees share recent parts, a few a part
        if (recent.indexOf(group) >= 0) parts.push("recent/" + group + "/");
      }
      return parts;
    });
  }

  // All at once: each merge is a few requests, and one after another they were a round trip each on a
  // phone's network (46 bundles for the whole federation). A bundle asked for again is not merged twice.
  function withBundles(pagefind, parts) {
    return Promise.all(parts.map(function (part) {
      if (!merged[part]) {
        merged[part] = pagefind.mergeIndex(new URL(part, indexBase).pathname, { baseUrl: rootPath });
      }
      return merged[part];
    })).then(function () { return pagefind; });
  }

  function filtersFor(scope) {
    if (scope === "site") return { org: "site:" + org };
    if (scope === "members") return { org: org };
    return {};
  }

  // Pagefind's excerpt with its <mark>s: only text and <mark> are kept, whatever else it holds.
  function excerptNode(excerpt) {
    var holder = document.createElement("template");
    holder.innerHTML = excerpt;
    var out = document.createElement("p");
    out.className = "fed-search__excerpt";
    holder.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function resultItem(data) {
    var item = document.createElement("li");
    item.className = "fed-search__result";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.meta.title || data.url;
    heading.appendChild(link);
    var meta = document.createElement("p");
    meta.className = "fed-search__meta";
    meta.textContent = [data.meta.org, data.meta.date].filter(Boolean).join(" · ");
    item.appendChild(heading);
    item.appendChild(meta);
    item.appendChild(excerptNode(data.excerpt || ""));
    return item;
  }

  function showNext() {
    var batch = pending.slice(asked, asked + PAGE_SIZE);
    asked += batch.length;
    more.hidden = asked >= pending.length;
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (all) {
      all.forEach(function (data) { list.appendChild(resultItem(data)); });
    });
  }

  function plural(n) {
    var tens = n % 100, ones = n % 10;
    if (tens >= 11 && tens <= 14) return "страниц";
    if (ones === 1) return "страница";
    if (ones >= 2 && ones <= 4) return "страницы";
    return "страниц";
  }

  function run(query, scope) {
    list.textContent = "";
    more.hidden = true;
    pending = [];
    asked = 0;
    if (!query.trim()) {
      status.textContent = "Введите слова для поиска.";
      return Promise.resolve();
    }
    status.textContent = "Ищем…";
    return loadEngine().then(function (pagefind) {
      return bundlesFor(scope).then(function (ids) { return withBundles(pagefind, ids); });
    }).then(function (pagefind) {
      return pagefind.search(query, { filters: filtersFor(scope) });
    }).then(function (found) {
      pending = found.results;
      if (!pending.length) {
        status.textContent = "По запросу «" + query + "» ничего не найдено. Попробуйте другие слова или поиск во всей федерации.";
        return;
      }
      status.textContent = "Найдено: " + pending.length + " " + plural(pending.length) + ".";
      return showNext();
    }).then(function () {
      page.setAttribute("data-fed-search-done", query);
    }).catch(function () {
      status.textContent = "Поиск не загрузился. Обновите страницу; сайт, открытый как файл с диска, ищет только через веб-сервер.";
    });
  }

  function scopeOf(value) {
    var radio = form.querySelector("input[name=scope][value='" + value + "']");
    return radio ? value : "all";
  }

  function current() {
    var checked = form.querySelector("input[name=scope]:checked");
    return { q: input.value, scope: checked ? checked.value : "all" };
  }

  function go(push) {
    var state = current();
    var url = new URL(location.href);
    url.searchParams.set("q", state.q);
    url.searchParams.set("scope", state.scope);
    if (push) history.pushState(null, "", url.href);
    return run(state.q, state.scope);
  }

  function fromAddress() {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    var scope = scopeOf(params.get("scope") || "all");
    form.querySelector("input[name=scope][value='" + scope + "']").checked = true;
    var header = document.querySelector("[data-fed-search-box] input");
    if (header) header.value = input.value;
    if (!input.value) input.focus();  // the header's magnifier on a phone opens this page empty
    return run(input.value, scope);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    go(true);
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "scope" && input.value.trim()) go(true);
  });
  more.addEventListener("click", function () { showNext(); });
  window.addEventListener("popstate", fromAddress);
  fromAddress();
})();
