// Course editor (templates/coordinator/editor/edit.html): a problem's "path:line" link
// puts the cursor on that line of the textarea. Without this script the link jumps to the
// numbered copy of the text below the form, so nothing depends on it.
(function () {
  "use strict";

  function lineStart(text, line) {
    var offset = 0;
    for (var n = 1; n < line; n++) {
      var next = text.indexOf("\n", offset);
      if (next === -1) return text.length;
      offset = next + 1;
    }
    return offset;
  }

  function selectLine(textarea, line) {
    var text = textarea.value;
    var start = lineStart(text, line);
    var end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    textarea.focus();
    textarea.setSelectionRange(start, end);
    // Scroll the line into view: its share of the text times the textarea's scroll height.
    var lines = text.split("\n").length;
    textarea.scrollTop = Math.max(0, (line - 3) / lines * textarea.scrollHeight);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var textarea = document.querySelector("textarea.source");
    if (!textarea) return;
    document.querySelectorAll("a[data-line]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        selectLine(textarea, parseInt(link.getAttribute("data-line"), 10));
      });
    });
  });
})();
