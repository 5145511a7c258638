// Redress pages: small enhancements only; every page works without this file.
// Countdowns tick once a minute: <time data-due="RFC 3339"> keeps its server-rendered text
// and gains a live remaining time in its data-left child.
(function () {
  "use strict";
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = due - now;
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("due-soon", left >= 0 && left < 24 * 3600 * 1000);
    });
  }
  // The filing form's live check sends no file: tell it whether one is chosen (the photo is
  // evidence the checker counts).
  function attached(event) {
    var input = event.target;
    if (input.id !== "photo") return;
    var flag = document.getElementById("attached");
    if (flag) flag.value = input.files && input.files.length > 0 ? "1" : "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 60 * 1000);
  });
  document.addEventListener("change", attached, true);
})();
