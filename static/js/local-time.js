// Every <time data-local> of the portals, rewritten into the reader's own time zone. The
// server writes each time in UTC, naming the zone, and puts the same words in the element's
// title, which this script leaves alone: hovering a time still shows it in UTC. Without this
// script (or without Intl) the page keeps the UTC words.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;

  var zoned = { timeZoneName: "short" };
  var formats = {
    datetime: {
      year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
    },
    date: { year: "numeric", month: "short", day: "numeric" },
    day: { month: "short", day: "numeric" },
    hour: { hour: "numeric", minute: "2-digit" },
  };
  var formatters = {};

  function format(style, moment, withZone) {
    var key = style + (withZone ? "+zone" : "");
    if (!formatters[key]) {
      var options = Object.assign({}, formats[style], withZone ? zoned : {});
      formatters[key] = new Intl.DateTimeFormat(undefined, options);
    }
    return formatters[key].format(moment);
  }

  function localize(element) {
    var moment = new Date(element.getAttribute("datetime"));
    if (isNaN(moment.getTime())) return;
    var style = element.dataset.local;
    if (style === "day-hour") {
      var day = element.querySelector(".day");
      var hour = element.querySelector(".hour");
      if (day) day.textContent = format("day", moment, false);
      if (hour) hour.textContent = format("hour", moment, true);
    } else if (formats[style]) {
      element.textContent = format(style, moment, style === "datetime");
    }
  }

  function localizeWithin(root) {
    Array.prototype.forEach.call(root.querySelectorAll("time[data-local]"), localize);
  }

  // A form that takes UTC says which zone the rest of the page is in now, unless it is UTC.
  function nameZone(root) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === "UTC" || zone === "Etc/UTC") return;
    Array.prototype.forEach.call(root.querySelectorAll("[data-local-zone]"), function (hint) {
      hint.textContent = hint.dataset.localZone.replace("{zone}", zone);
      hint.hidden = false;
    });
  }

  localizeWithin(document);
  nameZone(document);
  // Parts of a page swapped in later (the Portal redirection page's details) say so.
  document.addEventListener("portal:updated", function (event) {
    localizeWithin(event.target);
    nameZone(event.target);
  });
})();
