/* yiwang's own script, and all of it: progressive enhancement only; every page works without it.

   A prefilled answer (an input with data-prefilled) says where it came from in a badge beside it
   (data-origin names the badge). When the person changes it, the badge says so at once:
   "已修改（本人填写）". The check-answers page says the same from the server, without script. */
(function () {
  "use strict";
  if (window.yiwangOrigins) {
    return;
  }
  window.yiwangOrigins = true;

  function valueOf(input) {
    if (input.type === "checkbox") {
      return input.checked ? "on" : "";
    }
    return (input.value || "").trim();
  }

  function update(event) {
    var input = event.target;
    if (!input || !input.hasAttribute || !input.hasAttribute("data-prefilled")) {
      return;
    }
    var badge = document.getElementById(input.getAttribute("data-origin"));
    if (!badge) {
      return;
    }
    var changed = valueOf(input) !== input.getAttribute("data-prefilled");
    var from = badge.querySelector(".origin-from");
    var edited = badge.querySelector(".origin-changed");
    if (from) {
      from.hidden = changed;
    }
    if (edited) {
      edited.hidden = !changed;
    }
    badge.classList.toggle("is-changed", changed);
  }

  document.addEventListener("input", update);
  document.addEventListener("change", update);
})();

/* 12345 我要反映: a "use my location" button fills in the two coordinate fields from the
   browser's geolocation. It stays hidden where there is no geolocation (or no script); the
   fields can always be typed in, or left empty. */
(function () {
  "use strict";
  if (window.yiwangLocate) {
    return;
  }
  window.yiwangLocate = true;

  function reveal(root) {
    if (!("geolocation" in navigator) || !root || !root.querySelectorAll) {
      return;
    }
    var boxes = root.querySelectorAll("[data-locate]");
    for (var i = 0; i < boxes.length; i += 1) {
      boxes[i].hidden = false;
    }
  }

  function say(button, key) {
    var status = document.getElementById("locate-status");
    if (status) {
      status.textContent = button.getAttribute(key) || "";
    }
  }

  function locate(event) {
    var button = event.target && event.target.closest ? event.target.closest("#use-location") : null;
    if (!button) {
      return;
    }
    event.preventDefault();
    say(button, "data-locating");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var lat = document.getElementById("lat");
        var lon = document.getElementById("lon");
        if (lat && lon) {
          lat.value = position.coords.latitude.toFixed(6);
          lon.value = position.coords.longitude.toFixed(6);
        }
        say(button, "data-located");
      },
      function () {
        say(button, "data-failed");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  document.addEventListener("click", locate);
  document.addEventListener("htmx:load", function (event) {
    reveal(event.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      reveal(document);
    });
  } else {
    reveal(document);
  }
})();
