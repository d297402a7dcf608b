/* fedsite: the mode for the visually impaired (SPEC §6) and its settings.
   The mode ("fed-a11y": "on"/"off") and the settings ("fed-a11y-settings": {size, scheme, images, spacing})
   live in localStorage, which every site of the federation shares (one origin); the script in the head of
   main.html puts them on <html> as data-fed-* before the page is drawn, and fedsite.css does the rest.
   Here: the buttons that change them (the switch in every page's bar, the panel above the header). */
(function () {
  var MODE = "fed-a11y", SETTINGS = "fed-a11y-settings";
  var root = document.documentElement;

  function isOn() { return root.getAttribute("data-fed-a11y") === "on"; }

  function save(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { /* storage blocked: this page only */ }
  }

  // Every setting's button tells its state to screen readers as it shows it; the switch says what it
  // does (its text is written here, not twice in every page's markup).
  function sync() {
    document.querySelectorAll("[data-fed-a11y-toggle]").forEach(function (b) {
      b.textContent = isOn() ? "Обычная версия" : "Версия для слабовидящих";
    });
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
  document.querySelectorAll(".md-typeset img[alt]:not([alt=''])").forEach(function (img) {
    if (img.closest(".fed-post__cover, .fed-card__cover")) return;  // the title beside it says as much
    var alt = document.createElement("span");
    alt.className = "fed-img-alt";
    alt.textContent = "Изображение: " + img.alt;
    img.insertAdjacentElement("afterend", alt);
  });

  // An embedded video whose writer gave it no title is named by its host, so that a screen reader says
  // what the frame is (the Markdown sanitizer keeps no title attribute on iframes).
  document.querySelectorAll(".md-typeset iframe:not([title])").forEach(function (frame) {
    var host = "";
    try { host = new URL(frame.src).hostname.replace(/^www\./, ""); } catch (e) { /* no src */ }
    frame.setAttribute("title", host ? "Видео: " + host : "Встроенное видео");
  });

  sync();
})();
