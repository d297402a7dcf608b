/* fedsite: the switch for the visually impaired; the choice is remembered across pages. */
(function () {
  var KEY = "fed-a11y";
  var root = document.documentElement;
  function apply(on) {
    if (on) root.setAttribute("data-fed-a11y", "on"); else root.removeAttribute("data-fed-a11y");
    document.querySelectorAll("[data-fed-a11y-toggle]").forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  function stored() { try { return localStorage.getItem(KEY) === "on"; } catch (e) { return false; } }
  apply(stored());
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fed-a11y-toggle]");
    if (!button) return;
    var on = root.getAttribute("data-fed-a11y") !== "on";
    try { localStorage.setItem(KEY, on ? "on" : "off"); } catch (e) { /* private mode: this page only */ }
    apply(on);
  });
})();
