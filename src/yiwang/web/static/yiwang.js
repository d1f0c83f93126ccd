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
