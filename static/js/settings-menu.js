// A Settings area's menu: folded above a page of the area on a narrow screen (open on the
// area's own page, which is only the menu), open beside the page on a wide one. Loaded right
// after the menu (not deferred), so a phone never shows it unfolded first.
(function () {
  "use strict";
  var fold = document.currentScript && document.currentScript.parentElement.querySelector(
    ".settings-menu-fold"
  );
  if (!fold || !window.matchMedia || !fold.querySelector("[aria-current]")) return;
  var narrow = window.matchMedia("(max-width: 60rem)");
  function follow() {
    fold.open = !narrow.matches;
  }
  follow();
  narrow.addEventListener("change", follow);
})();
