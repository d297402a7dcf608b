/* Galleries of posts (theme/partials/fed-gallery.html): a thumbnail opens its photo full size in a
   <dialog>; ← and → (or the buttons) go through the photos, Esc or ✕ closes and gives the focus back
   to the thumbnail. Without this script the thumbnails are plain links to the photos. */
(function () {
  function setUp(gallery) {
    var links = Array.prototype.slice.call(gallery.querySelectorAll("a[data-fed-gallery-index]"));
    var dialog = gallery.querySelector("dialog");
    if (!links.length || !dialog || typeof dialog.showModal !== "function") return;
    var full = document.createElement("img");  // made here: an <img> without a photo yet is not valid HTML
    full.className = "fed-gallery__full";
    dialog.querySelector(".fed-gallery__figure").prepend(full);
    var count = dialog.querySelector(".fed-gallery__count");
    var current = 0;
    function show(index) {
      current = (index + links.length) % links.length;
      var thumb = links[current].querySelector("img");
      full.src = links[current].getAttribute("href");
      full.alt = thumb ? thumb.alt : "";
      if (thumb && thumb.width && thumb.height) { full.width = thumb.width; full.height = thumb.height; }
      count.textContent = "Фотография " + (current + 1) + " из " + links.length;
    }
    links.forEach(function (link, index) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(index);
        dialog.showModal();
        dialog.querySelector(".fed-gallery__close").focus();
      });
    });
    dialog.querySelector(".fed-gallery__prev").addEventListener("click", function () { show(current - 1); });
    dialog.querySelector(".fed-gallery__next").addEventListener("click", function () { show(current + 1); });
    dialog.querySelector(".fed-gallery__close").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
      if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
    });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    dialog.addEventListener("close", function () { links[current].focus(); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-fed-gallery]"), setUp);
})();
