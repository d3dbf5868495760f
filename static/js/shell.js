// The Defender portal's menu button: collapse the navigation rail to its icons, or expand it.
// Without this script the rail follows the width alone (labels when wide, icons when narrow),
// so the menu button stays hidden.
(function () {
  "use strict";
  var button = document.querySelector(".menu-button");
  var rail = document.getElementById("portal-nav");
  if (!button || !rail) {
    return;
  }
  var narrow = window.matchMedia("(max-width: 48rem)");
  var root = document.documentElement;
  // Opened by the menu button (not expanded because the screen is wide): Escape closes it.
  var openedByButton = false;

  function expanded() {
    return button.getAttribute("aria-expanded") === "true";
  }

  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("rail-expanded", open);
    root.classList.toggle("rail-collapsed", !open);
    if (!open) openedByButton = false;
  }

  function close() {
    show(false);
    button.focus();
  }

  button.hidden = false;
  show(!narrow.matches);
  narrow.addEventListener("change", function () { show(!narrow.matches); });
  button.addEventListener("click", function () {
    var open = !expanded();
    show(open);
    if (open) {
      // Straight to the first item, not through the rest of the header.
      openedByButton = true;
      var first = rail.querySelector("a[href]");
      if (first) first.focus();
    }
  });

  // Escape closes a rail the button opened (on a phone it covers the page) and returns focus
  // to the button; a click on a link closes it on a phone.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && expanded() && (narrow.matches || openedByButton)) {
      close();
    }
  });
  rail.addEventListener("click", function (event) {
    if (narrow.matches && event.target.closest("a")) {
      show(false);
    }
  });
})();
