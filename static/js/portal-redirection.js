// Portal redirection page: confirm in a modal dialog and apply without a full reload.
// Without this script (or without <dialog>), the switch opens the confirm page instead.
(function () {
  "use strict";

  var switchForm = document.getElementById("redirection-switch-form");
  var switchButton = document.getElementById("redirection-switch");
  if (!switchForm || !switchButton || switchButton.disabled) return;
  if (typeof HTMLDialogElement !== "function" || !window.fetch) return;

  var stateText = document.getElementById("redirection-state");
  var announcement = document.getElementById("redirection-announcement");
  var dialogs = {
    on: document.getElementById("redirection-dialog-on"),
    off: document.getElementById("redirection-dialog-off"),
  };
  var turnInput = switchForm.querySelector("input[name='turn']");

  function isOn() {
    return switchButton.getAttribute("aria-checked") === "true";
  }

  function showSwitch(enabled) {
    switchButton.setAttribute("aria-checked", enabled ? "true" : "false");
    stateText.textContent = enabled ? stateText.dataset.on : stateText.dataset.off;
    turnInput.value = enabled ? "off" : "on";
  }

  function showState(enabled) {
    showSwitch(enabled);
    announcement.textContent = enabled ? announcement.dataset.on : announcement.dataset.off;
  }

  function showError(form, message) {
    var box = form.querySelector(".confirm-error");
    box.textContent = message;
    box.hidden = false;
  }

  function resetDialog(dialog) {
    var form = dialog.querySelector("form");
    form.reset();
    var box = form.querySelector(".confirm-error");
    box.textContent = "";
    box.hidden = true;
    var expired = form.querySelector(".page-expired");
    if (expired && !expired.hidden) {
      // Still expired: keep saying so, and keep the change from being sent again.
      form.querySelector("button[type='submit']").disabled = true;
    }
  }

  // The rest of the page (last change, rollout, history) is rendered by the server once;
  // after a change, fetch it again and swap that part in rather than reloading the page.
  function refreshDetails() {
    return fetch(switchForm.dataset.pageUrl, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser()
          .parseFromString(html, "text/html")
          .getElementById("redirection-details");
        var current = document.getElementById("redirection-details");
        if (!fresh || !current) return;
        var details = document.importNode(fresh, true);
        current.replaceWith(details);
        // Its times are written in UTC again: the page's time script rewrites them.
        details.dispatchEvent(new CustomEvent("portal:updated", { bubbles: true }));
      })
      .catch(function () {
        // The switch already shows the new state; stale details are harmless until reload.
      });
  }

  // Post a form of the page to the page itself, asking for JSON: resolves with the new
  // state, rejects with the server's own "error" (the same words the page would show). A
  // refusal because the page expired (its CSRF token no longer holds) is marked "expired":
  // sending it again would fail the same way.
  function post(form) {
    // getAttribute: the rollout forms have a field named "action", which hides form.action.
    return fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: new FormData(form),
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          if (!response.ok) {
            var error = new Error(
              data.error || "The change could not be saved (" + response.status + ")."
            );
            error.expired = response.status === 403 && (data.expired === true || !json);
            throw error;
          }
          return data;
        });
    });
  }

  // The page expired: say so instead of the error, offer Reload, and stop futile retries.
  function showExpired(form) {
    var notice = form.querySelector(".page-expired");
    if (!notice) return false;
    form.querySelectorAll(".confirm-error, .rollout-error").forEach(function (box) {
      box.hidden = true;
    });
    form.querySelectorAll("button[type='submit']").forEach(function (button) {
      button.disabled = true;
    });
    notice.hidden = false;
    var reload = notice.querySelector("[data-action='reload']");
    reload.disabled = false;
    reload.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-action='reload']")) window.location.reload();
  });

  // The staged-rollout forms (scope, schedule, cancel). Delegated: they are swapped in again
  // with the details after every change.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.apiForm) return;
    event.preventDefault();
    var box = form.querySelector(".rollout-error");
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) {
      button.disabled = true;
    });
    post(form)
      .then(function (data) {
        showSwitch(data.enabled);
        announcement.textContent = data.message;
        return refreshDetails();
      })
      .catch(function (error) {
        if (error.expired && showExpired(form)) return;
        box.textContent = error.message || "The change could not be saved. Check your connection.";
        box.hidden = false;
        buttons.forEach(function (button) {
          button.disabled = false;
        });
      });
  });

  function submitChange(dialog, form) {
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) {
      button.disabled = true;
    });
    // The confirm form itself (CSRF token, enabled, feedback), posted to the page it names:
    // the server records the change as made on the Settings page because of where it went.
    var expired = false;
    post(form)
      .then(function (data) {
        showState(data.enabled);
        dialog.close("done");
        return refreshDetails();
      })
      .catch(function (error) {
        expired = Boolean(error.expired);
        if (expired && showExpired(form)) return;
        showError(form, error.message || "The change could not be saved. Check your connection.");
      })
      .finally(function () {
        buttons.forEach(function (button) {
          // An expired page keeps its submit button off: only Reload can help.
          button.disabled = expired && button.type === "submit";
        });
      });
  }

  switchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var dialog = isOn() ? dialogs.off : dialogs.on;
    resetDialog(dialog);
    dialog.showModal();
  });

  Object.keys(dialogs).forEach(function (key) {
    var dialog = dialogs[key];
    var form = dialog.querySelector("form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitChange(dialog, form);
    });
    dialog.querySelector("[data-action='cancel']").addEventListener("click", function () {
      dialog.close("cancel");
    });
    // A modal dialog makes the page inert but lets Tab leave for the browser's own controls;
    // keep focus cycling inside the dialog instead.
    dialog.addEventListener("keydown", function (event) {
      if (event.key !== "Tab") return;
      var focusable = Array.prototype.filter.call(
        dialog.querySelectorAll("button, textarea, input:not([type='hidden']), a[href]"),
        function (element) {
          return !element.disabled && element.offsetParent !== null;
        }
      );
      if (!focusable.length) return;
      var first = focusable[0];
      var last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    // Escape closes a modal dialog natively; either way, focus goes back to the switch.
    dialog.addEventListener("close", function () {
      switchButton.focus();
    });
  });
})();
