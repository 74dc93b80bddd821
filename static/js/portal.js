// Progressive enhancement only: every control works as a plain link without it.
(function () {
  "use strict";
  var YEAR = 365 * 24 * 3600;
  var COOKIES = { font: "portal_font", contrast: "portal_contrast" };

  function apply(pref, value) {
    var root = document.documentElement;
    var prefix = pref + "-";
    root.className = root.className
      .split(/\s+/)
      .filter(function (name) { return name && name.indexOf(prefix) !== 0; })
      .concat([prefix + value])
      .join(" ");
    document.querySelectorAll('[data-pref="' + pref + '"]').forEach(function (link) {
      if (pref === "contrast") {
        // One toggle, named by what it does: it now offers the other value.
        var offered = value === "high" ? "normal" : "high";
        link.setAttribute("data-value", offered);
        link.setAttribute("href", link.getAttribute("href").replace(/contrast=\w+/, "contrast=" + offered));
        link.textContent = link.getAttribute("data-label-" + offered);
      } else if (link.getAttribute("data-value") === value) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-pref]") : null;
    if (!link) { return; }
    var pref = link.getAttribute("data-pref");
    var value = link.getAttribute("data-value");
    if (!COOKIES[pref]) { return; }
    event.preventDefault();
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIES[pref] + "=" + encodeURIComponent(value) +
      "; path=/; max-age=" + YEAR + "; SameSite=Lax" + secure;
    apply(pref, value);
  });

  // A wide table's cue ("scroll sideways") is shown only while the table does
  // not fit its region: on a phone, one language's table may fit and the
  // other's not, and a larger font may make either scroll.
  if (window.ResizeObserver) {
    document.querySelectorAll(".table-scroll[aria-describedby]").forEach(function (region) {
      var id = region.getAttribute("aria-describedby");
      var cue = document.getElementById(id);
      if (!cue) { return; }
      var observer = new ResizeObserver(function () {
        var fits = region.scrollWidth <= region.clientWidth;
        cue.hidden = fits;
        if (fits) { region.removeAttribute("aria-describedby"); } else { region.setAttribute("aria-describedby", id); }
      });
      observer.observe(region);
      if (region.firstElementChild) { observer.observe(region.firstElementChild); }
    });
  }

  // The header's menu folds behind a button on narrow screens (CSS decides when).
  var button = document.querySelector(".menu-button");
  var header = document.querySelector(".site-header");
  if (button && header) {
    header.classList.add("menu-ready");
    button.hidden = false;
    var setOpen = function (open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    };
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the open menu and puts the focus back on its button.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") { return; }
      setOpen(false);
      button.focus();
    });
  }
})();
