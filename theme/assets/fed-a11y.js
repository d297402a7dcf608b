/* fedsite: the mode for the visually impaired (SPEC §6), the part that runs before the page is drawn.
   Loaded in the head of every page (one file for the whole federation, cached by the browser, instead of
   ~3 KB of inline markup on every page): puts the chosen mode and settings on <html> as data-fed-*
   (the first value of each setting is the one taken when none was chosen), and gives fedPanel(), which
   the page calls at the top of its body to draw the settings' panel there (assets/fedsite.js makes its
   buttons work). Without scripts the mode cannot be switched on, so the panel is not needed either. */

/* Material's storage helpers, as its partials/javascripts/base.html defines them inline on every page:
   here from the script tag's data-base (the site's base URL, relative to the page). */
var __md_scope = new URL(document.currentScript.getAttribute("data-base") || ".", location),
  __md_hash = function (e) { return [].reduce.call(e, function (h, c) { return (h << 5) - h + c.charCodeAt(0); }, 0); },
  __md_get = function (e, store, scope) {
    return JSON.parse((store || localStorage).getItem((scope || __md_scope).pathname + "." + e));
  },
  __md_set = function (e, value, store, scope) {
    try { (store || localStorage).setItem((scope || __md_scope).pathname + "." + e, JSON.stringify(value)); } catch (err) { /* blocked */ }
  };

(function () {
  var root = document.documentElement, saved = {};
  var SETTINGS = [
    ["size", "Размер шрифта", [["2", "Крупнее"], ["1", "Крупный"], ["3", "Самый крупный"]]],
    ["scheme", "Цвета", [["bw", "Чёрным по белому"], ["wb", "Белым по чёрному"], ["blue", "Синим по голубому"]]],
    ["images", "Изображения", [["show", "Цветные"], ["grey", "Чёрно-белые"], ["hide", "Скрыть"]]],
    ["spacing", "Интервал между буквами", [["1", "Обычный"], ["2", "Больше"], ["3", "Ещё больше"]]]
  ];
  // The buttons are shown in this order (smallest type first); the defaults above come first in each list.
  var ORDER = {size: ["1", "2", "3"]};
  try {
    if (localStorage.getItem("fed-a11y") === "on") root.setAttribute("data-fed-a11y", "on");
    saved = JSON.parse(localStorage.getItem("fed-a11y-settings")) || {};
  } catch (e) { /* storage blocked: the defaults */ }
  SETTINGS.forEach(function (s) {
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
      '<div class="fed-a11y-panel__groups">' + SETTINGS.map(group).join("") +
      '<button type="button" class="fed-a11y-panel__off" data-fed-a11y-off>Обычная версия сайта</button>' +
      "</div></details></section>";
    document.currentScript.insertAdjacentHTML("afterend", html);
  };
})();
