// The rich text editor (django-prose-editor) names its toolbar's buttons and
// its heading choices with English literals that it does not translate: they
// are named here through the admin's JavaScript catalogue (djangojs.po), in
// the staff member's language, as its dialogs already are.
(function () {
  "use strict";
  var translate = window.gettext || function (text) { return text; };

  function name(root) {
    root.querySelectorAll(".prose-menubar [title]").forEach(function (element) {
      var title = element.getAttribute("title");
      var named = translate(title);
      if (named === title) { return; }
      element.setAttribute("title", named);
      if (element.getAttribute("aria-label") === title) {
        element.setAttribute("aria-label", named);
      }
    });
    root.querySelectorAll(".prose-menubar__option > *").forEach(function (label) {
      var named = translate(label.textContent);
      if (named !== label.textContent) { label.textContent = named; }
    });
  }

  function start() {
    name(document);
    // Editors start as their module loads, and inlines add more: only a new
    // toolbar is named (typing adds nodes too).
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) { return; }
          if (node.matches(".prose-menubar") || node.querySelector(".prose-menubar")) {
            name(node.parentElement || node);
          }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
