// Counts down a timed quiz attempt and warns in its last minute.
// The page works without it: the server shows the deadline in the learner's zone
// and grades what was saved by then. Loaded as a file, so the CSP needs no inline script.
(function () {
  "use strict";
  var box = document.querySelector("[data-countdown]");
  if (!box) {
    return;
  }
  var remaining = parseInt(box.getAttribute("data-remaining"), 10);
  if (isNaN(remaining)) {
    return;
  }
  // Counted from the server's figure with the monotonic clock, so a wrong
  // clock on the phone does not move the deadline.
  var started = performance.now();
  var clock = box.querySelector("[data-countdown-clock]");
  var warning = box.querySelector("[data-countdown-warning]");
  var label = box.getAttribute("data-label");
  var over = box.getAttribute("data-over");
  var warned = false;

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function show(left) {
    var h = Math.floor(left / 3600);
    var m = Math.floor((left % 3600) / 60);
    var s = left % 60;
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
  }

  function tick() {
    var left = Math.max(0, remaining - Math.floor((performance.now() - started) / 1000));
    clock.textContent = left > 0 ? label + " " + show(left) : over;
    if (left <= 60 && !warned) {
      warned = true;
      box.classList.add("warning");
      warning.hidden = false;  // role="alert": read out once, when it appears
    }
    if (left > 0) {
      window.setTimeout(tick, 1000 - ((performance.now() - started) % 1000));
    }
  }

  clock.hidden = false;
  tick();
})();
