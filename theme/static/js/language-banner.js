/* Suggests the visitor's own language when the page is in another one: a small, dismissible
 * banner linking to the same page in that language (its hreflang alternate in the head), or
 * to that language's home. Never redirects, so search engines and shared links see the page
 * as it is. Texts come from the page (#language-suggestions, rendered with gettext in every
 * language); dismissing is remembered in localStorage.
 *
 * Loaded without defer right after the skip link: the banner is in place before the header
 * and content are laid out, so its arrival moves nothing on screen (no layout shift). */
(function () {
  "use strict";

  var script = document.currentScript;

  var STORAGE_KEY = "portal.languageSuggestion";

  function remembered() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) === "dismissed";
    } catch (error) {
      return false; // storage blocked: the banner can still be dismissed for this page
    }
  }

  function remember() {
    try {
      window.localStorage.setItem(STORAGE_KEY, "dismissed");
    } catch (error) {
      /* nothing to keep it in */
    }
  }

  function primary(tag) {
    return tag.toLowerCase().split("-")[0];
  }

  /* The site language the browser prefers most, matched by full tag, then by primary subtag. */
  function preferred(languages) {
    var wanted = navigator.languages && navigator.languages.length
      ? navigator.languages : [navigator.language || ""];
    for (var i = 0; i < wanted.length; i++) {
      var pref = String(wanted[i]).toLowerCase();
      if (!pref) {
        continue;
      }
      /* Taiwan, Hong Kong and Macao read Traditional Chinese: zh-TW means zh-Hant. */
      if (/^zh-(tw|hk|mo)\b/.test(pref) || /^zh-hant\b/.test(pref)) {
        pref = "zh-hant";
      }
      for (var code in languages) {
        if (languages[code].tag.toLowerCase() === pref) {
          return code;
        }
      }
      for (var other in languages) {
        if (primary(languages[other].tag) === primary(pref)) {
          return other;
        }
      }
    }
    return null;
  }

  function alternate(tag) {
    var links = document.querySelectorAll('link[rel="alternate"][hreflang]');
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("hreflang") === tag) {
        var url = new URL(links[i].getAttribute("href"), window.location.href);
        return url.pathname + url.search; // the same page on this host, wherever it is served
      }
    }
    return null;
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function show() {
    var data = document.getElementById("language-suggestions");
    if (!data || remembered()) {
      return;
    }
    var languages = JSON.parse(data.textContent);
    var code = preferred(languages);
    var pageTag = document.documentElement.getAttribute("lang");
    if (!code || languages[code].tag === pageTag) {
      return;
    }
    var lang = languages[code];
    var target = alternate(lang.tag);

    var banner = element("div", "language-banner");
    banner.setAttribute("role", "region");
    banner.setAttribute("aria-label", lang.label);
    banner.setAttribute("lang", lang.tag);
    var inner = element("div", "container language-banner__inner");
    var text = element("p", "language-banner__text", (target ? lang.page : lang.site) + " ");
    var link = element("a", "language-banner__link", lang.name);
    link.href = target || lang.home;
    link.setAttribute("hreflang", lang.tag);
    text.appendChild(link);
    var dismiss = element("button", "language-banner__dismiss", lang.dismiss);
    dismiss.type = "button";
    dismiss.addEventListener("click", function () {
      remember();
      banner.remove();
      // Keep keyboard users where the banner was: on the next thing in the page.
      var next = document.querySelector(".site-header a") || document.getElementById("main");
      if (next) {
        next.focus();
      }
    });
    inner.appendChild(text);
    inner.appendChild(dismiss);
    banner.appendChild(inner);

    // Where the script is (after the skip link, so "skip to main content" stays the first
    // stop of the keyboard), else at the top of the page.
    if (script && script.parentNode && script.parentNode !== document.head) {
      script.after(banner);
    } else {
      document.body.prepend(banner);
    }
  }

  if (document.body) {
    show();
  } else {
    document.addEventListener("DOMContentLoaded", show);
  }
})();
