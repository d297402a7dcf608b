/* fedsite: the federation's one script, loaded in the head of every page (one file for the whole federation,
   cached by the browser). What a page needs of script beside its content:
   - the mode for the visually impaired (SPEC §6) and its settings. The mode ("fed-a11y": "on"/"off") and the
     settings ("fed-a11y-settings": {size, scheme, images, spacing}) live in localStorage, which every site of
     the federation shares (one origin). Before the page is drawn they are put on <html> as data-fed-* (the
     first value of each setting is the one taken when none was chosen), and fedsite.css does the rest. The
     page calls fedPanel() at the top of its body to draw the settings' panel there and fedToggle() beside
     the chain for the switch: without script the mode cannot be turned on, so neither is in the markup;
   - once the page is parsed: the buttons of the mode, back to top, wide tables (what Material's script did
     on our pages: it is not loaded) and search (assets/fed-search.js, loaded from here). */
(function () {
  var MODE = "fed-a11y", SETTINGS = "fed-a11y-settings";
  var root = document.documentElement, assets = document.currentScript.src, saved = {};
  var CHOICES = [
    ["size", "Размер шрифта", [["2", "Крупнее"], ["1", "Крупный"], ["3", "Самый крупный"]]],
    ["scheme", "Цвета", [["bw", "Чёрным по белому"], ["wb", "Белым по чёрному"], ["blue", "Синим по голубому"]]],
    ["images", "Изображения", [["show", "Цветные"], ["grey", "Чёрно-белые"], ["hide", "Скрыть"]]],
    ["spacing", "Интервал между буквами", [["1", "Обычный"], ["2", "Больше"], ["3", "Ещё больше"]]]
  ];
  // The buttons are shown in this order (smallest type first); the defaults above come first in each list.
  var ORDER = {size: ["1", "2", "3"]};
  try {
    if (localStorage.getItem(MODE) === "on") root.setAttribute("data-fed-a11y", "on");
    saved = JSON.parse(localStorage.getItem(SETTINGS)) || {};
  } catch (e) { /* storage blocked: the defaults */ }
  CHOICES.forEach(function (s) {
    var values = s[2].map(function (v) { return v[0]; });
    root.setAttribute("data-fed-" + s[0], values.indexOf(saved[s[0]]) >= 0 ? saved[s[0]] : values[0]);
  });

  function button(name, value, label) {
    var extra = name === "size" ? ' class="fed-a11y-panel__size' + value + '"' : "";
    return '<button type="button" data-fed-a11y-set="' + name + '" value="' + value + '" aria-pressed="false"' +
      extra + ">" + label + "</button>";
  }

  function group(s) {
    var labels = {};
    s[2].forEach(function (v) { labels[v[0]] = v[1]; });
    var values = ORDER[s[0]] || s[2].map(function (v) { return v[0]; });
    return '<div class="fed-a11y-panel__group" role="group" aria-labelledby="fed-a11y-' + s[0] + '">' +
      '<span id="fed-a11y-' + s[0] + '" class="fed-a11y-panel__label">' + s[1] + ":</span>" +
      values.map(function (v) { return button(s[0], v, labels[v]); }).join("") + "</div>";
  }

  window.fedPanel = function () {
    var html = '<section class="fed-a11y-panel" aria-label="Настройки версии для слабовидящих">' +
      '<details class="fed-a11y-panel__details md-grid" data-fed-a11y-details>' +
      "<summary>Настройки: шрифт, цвета, изображения, интервал</summary>" +
      '<div class="fed-a11y-panel__groups">' + CHOICES.map(group).join("") +
      '<button type="button" class="fed-a11y-panel__off" data-fed-a11y-off>Обычная версия сайта</button>' +
      "</div></details></section>";
    document.currentScript.insertAdjacentHTML("afterend", html);
  };

  // The switch says what it does (turn the mode on, or back to the usual version): sync() writes its name
  // as the mode changes, so it is no toggle button with aria-pressed.
  window.fedToggle = function () {
    document.currentScript.insertAdjacentHTML("afterend",
      '<button type="button" class="fed-a11y-toggle md-button" data-fed-a11y-toggle>' + toggleName() + "</button>");
  };

  function isOn() { return root.getAttribute("data-fed-a11y") === "on"; }

  function toggleName() { return isOn() ? "Обычная версия" : "Версия для слабовидящих"; }

  function save(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { /* storage blocked: this page only */ }
  }

  // Every setting's button tells its state to screen readers as it shows it.
  function sync() {
    document.querySelectorAll("[data-fed-a11y-toggle]").forEach(function (b) { b.textContent = toggleName(); });
    document.querySelectorAll("[data-fed-a11y-set]").forEach(function (b) {
      var current = root.getAttribute("data-fed-" + b.getAttribute("data-fed-a11y-set"));
      b.setAttribute("aria-pressed", current === b.value ? "true" : "false");
    });
  }

  function setMode(on) {
    if (on) root.setAttribute("data-fed-a11y", "on"); else root.removeAttribute("data-fed-a11y");
    save(MODE, on ? "on" : "off");
    sync();
  }

  function setSetting(name, value) {
    root.setAttribute("data-fed-" + name, value);
    var settings = {};
    document.querySelectorAll("[data-fed-a11y-set]").forEach(function (b) {
      var key = b.getAttribute("data-fed-a11y-set");
      settings[key] = root.getAttribute("data-fed-" + key);
    });
    save(SETTINGS, JSON.stringify(settings));
    sync();
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var toggle = event.target.closest("[data-fed-a11y-toggle]");
    var off = event.target.closest("[data-fed-a11y-off]");
    var set = event.target.closest("[data-fed-a11y-set]");
    if (toggle) {
      setMode(!isOn());
      var details = document.querySelector("[data-fed-a11y-details]");
      if (isOn() && details) details.open = true;  // the settings, once, where the mode was turned on
    } else if (off) {
      setMode(false);
      var back = document.querySelector("[data-fed-a11y-toggle]");
      if (back) back.focus();  // the panel is gone: focus goes to the switch that brings it back
    } else if (set) {
      setSetting(set.getAttribute("data-fed-a11y-set"), set.value);
    }
  });

  // A choice made on another tab of the federation is followed here too.
  window.addEventListener("storage", function (event) {
    if (event.key === MODE) {
      if (event.newValue === "on") root.setAttribute("data-fed-a11y", "on"); else root.removeAttribute("data-fed-a11y");
    } else if (event.key === SETTINGS && event.newValue) {
      try {
        var settings = JSON.parse(event.newValue);
        document.querySelectorAll("[data-fed-a11y-set]").forEach(function (b) {
          var key = b.getAttribute("data-fed-a11y-set");
          if (settings[key] === b.value) root.setAttribute("data-fed-" + key, b.value);
        });
      } catch (e) { /* not ours */ }
    }
    sync();
  });

  // With images hidden, an image's alternative text is shown in its place (see fedsite.css).
  function showAlternatives() {
    document.querySelectorAll(".md-typeset img[alt]:not([alt=''])").forEach(function (img) {
      var alt = document.createElement("span");
      alt.className = "fed-img-alt";
      alt.textContent = "Изображение: " + img.alt;
      img.insertAdjacentElement("afterend", alt);
    });
  }

  // An embedded video whose writer gave it no title is named by its host, so that a screen reader says
  // what the frame is (the Markdown sanitizer keeps no title attribute on iframes).
  function nameFrames() {
    document.querySelectorAll(".md-typeset iframe:not([title])").forEach(function (frame) {
      var host = "";
      try { host = new URL(frame.src).hostname.replace(/^www\./, ""); } catch (e) { /* no src */ }
      frame.setAttribute("title", host ? "Видео: " + host : "Встроенное видео");
    });
  }

  // Back to top (Material's button and look, navigation.top: the page's <main> has data-fed-top): shown
  // while the reader scrolls up, far enough down the page to need it; hidden at the top and while reading on.
  function backToTop() {
    var main = document.querySelector("main[data-fed-top]"), lastY = window.scrollY;
    if (!main) return;
    var top = document.createElement("button");
    top.type = "button";
    top.className = "md-top fed-icon fed-icon--top";
    top.hidden = true;
    top.textContent = "К началу";
    main.appendChild(top);
    window.addEventListener("scroll", function () {
      var y = window.scrollY;
      top.hidden = !(y < lastY && y > 400);
      lastY = y;
    }, {passive: true});
    top.addEventListener("click", function () {
      window.scrollTo(0, 0);
      top.hidden = true;
      top.blur();
    });
  }

  // A Markdown table in Material's wrappers, as Material's script did: it scrolls sideways in its own
  // frame when wider than the column (fedsite.css fits it in the mode for the visually impaired).
  function wrapTables() {
    document.querySelectorAll(".md-typeset table:not([class])").forEach(function (table) {
      if (table.parentElement.classList.contains("md-typeset__table")) return;
      var wrap = document.createElement("div"), inner = document.createElement("div");
      wrap.className = "md-typeset__scrollwrap";
      inner.className = "md-typeset__table";
      table.replaceWith(wrap);
      wrap.appendChild(inner).appendChild(table);
    });
  }

  // Search: the header's box on every page, the results on the search page.
  function loadSearch() {
    var search = document.createElement("script");
    search.src = new URL("fed-search.js", assets).href;
    document.body.appendChild(search);
  }

  document.addEventListener("DOMContentLoaded", function () {
    showAlternatives();
    nameFrames();
    backToTop();
    wrapTables();
    loadSearch();
    sync();
  });
})();
