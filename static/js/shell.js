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

  function expanded() {
    return button.getAttribute("aria-expanded") === "true";
  }

  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("rail-expanded", open);
    root.classList.toggle("rail-collapsed", !open);
  }

  button.hidden = false;
  show(!narrow.matches);
  narrow.addEventListener("change", function () { show(!narrow.matches); });
  button.addEventListener("click", function () { show(!expanded()); });

  // On a narrow screen the expanded rail covers the page: Escape or a click on a link closes it.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && expanded()) {
      show(false);
      button.focus();
    }
  });
  rail.addEventListener("click", function (event) {
    if (narrow.matches && event.target.closest("a")) {
      show(false);
    }
  });
})();
