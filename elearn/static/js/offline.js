// Reading offline, on the page's side: registers the service worker (/sw.js), shows the
// offline banner, offers to save a course for reading offline, and queues a "Tandai
// selesai" made offline to send once back online. Its words come translated from the
// server (/offline/messages, kept by the worker for offline use), not with every page.
// Without JavaScript or service workers nothing changes: every page works as before.
(function () {
  "use strict";
  var script = document.currentScript;
  var main = document.getElementById("main");
  if (!script || !main) {
    return;
  }
  var user = script.getAttribute("data-user");
  var root = new URL("../../offline", script.src).pathname;  // from /static/js/offline.js
  var fromCache = main.hasAttribute("data-from-cache");  // set by the worker on a saved copy
  var form = document.querySelector("form[action$='/complete']");
  var course = /\/learn\/([^/]+)\/[^/]+$/.exec(location.pathname);
  var QUEUE = "elearn-offline-queue";
  var worker = "serviceWorker" in navigator && "caches" in window;
  var busy = false;
  var said = null;

  var note = null;
  var banner = null;
  var bannerShown = false;

  function region() {
    var element = document.createElement("div");
    element.setAttribute("role", "status");
    main.insertBefore(element, main.firstChild);
    return element;
  }

  function online() {
    return navigator.onLine !== false;
  }

  function words() {
    if (!said) {
      var lang = document.documentElement.lang || "id";
      said = fetch(root + "/messages?lang=" + encodeURIComponent(lang))
        .then(function (response) {
          return response.json();
        })
        .catch(function () {
          said = null;
          return {};
        });
    }
    return said;
  }

  // Made when there is something to say; filled a moment later, so that it is read out.
  function tell(where, text, link, label) {
    var place = where === "banner" ? (banner = banner || region()) : (note = note || region());
    var line = document.createElement("p");
    line.className = where === "banner" ? "flash flash-warning" : "flash";
    line.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = link;
      a.textContent = label;
      line.appendChild(document.createTextNode(" "));
      line.appendChild(a);
    }
    window.setTimeout(function () {
      place.appendChild(line);
    }, 100);
  }

  function show() {
    var offline = !online() || fromCache;
    if (offline && !bannerShown) {
      bannerShown = true;
      words().then(function (w) {
        if (bannerShown) {
          tell("banner", w.banner || "offline");
        }
      });
    } else if (!offline && bannerShown) {
      bannerShown = false;
      if (banner) {
        main.removeChild(banner);
        banner = null;
      }
    }
    var quizzes = document.querySelectorAll("[data-online-only]");
    for (var i = 0; i < quizzes.length; i++) {
      quizzes[i].hidden = online();
    }
    if (box) {
      box.hidden = !online();  // saving needs the network
    }
  }

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(QUEUE) || "[]");
    } catch (e) {
      return [];
    }
  }

  function store(queue) {
    try {
      window.localStorage.setItem(QUEUE, JSON.stringify(queue));
      return true;
    } catch (e) {
      return false;
    }
  }

  function without(entry) {
    return load().filter(function (e) {
      return e.user !== entry.user || e.url !== entry.url;
    });
  }

  function ask(message) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          resolve(event.data.result);
        };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  var box = null;
  // A signed-out page: nobody's pages stay behind (the sign-out response clears them too).
  if (!user) {
    if (worker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({type: "forget"});
    }
    show();
    return;
  }
  if (worker) {
    navigator.serviceWorker.register(root.replace(/offline$/, "sw.js")).catch(function () {});
  }

  // "Simpan untuk dibaca offline", under the module's title.
  function offerSaving(w) {
    var heading = document.querySelector(".module h1");
    box = document.createElement("div");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary";
    button.textContent = w.save;
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    status.className = "muted";
    box.appendChild(button);
    box.appendChild(status);
    heading.parentNode.insertBefore(box, heading.nextSibling);
    box.hidden = !online();
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = w.saving;
      var list = {};
      fetch(root + "/courses/" + course[1], {credentials: "same-origin"})
        .then(function (response) {
          return response.json();
        })
        .then(function (found) {
          list = found;
          return ask({type: "save", pages: list.pages, files: list.files});
        })
        .then(function (saved) {
          status.textContent = saved === list.pages.length ? list.saved : list.partial;
        })
        .catch(function () {
          status.textContent = list.partial || "";
        })
        .then(function () {
          button.disabled = false;
        });
    });
  }

  // A module page: the form to mark it done, or the note that it is.
  if (worker && course && online() && (form || document.querySelector(".module .done-note"))) {
    words().then(function (w) {
      if (w.save) {
        offerSaving(w);
      }
    });
  }

  function formSays(text, focus) {
    var button = form.querySelector("button");
    if (button) {
      form.removeChild(button);
    }
    var line = form.querySelector("p") || form.appendChild(document.createElement("p"));
    line.tabIndex = -1;
    line.textContent = text;
    if (focus) {
      line.focus();  // read out, where the button was
    }
  }

  if (form) {
    if (load().some(function (e) { return e.user === user && e.url === form.action; })) {
      words().then(function (w) {
        formSays(w.queued || "…");
      });
    }
    form.addEventListener("submit", function (event) {
      if (online()) {
        return;  // the ordinary form post
      }
      var token = form.querySelector("[name=csrf_token]");
      var entry = {url: form.action, token: token ? token.value : "", user: user,
                   title: document.querySelector("h1").textContent.trim()};
      if (store(without(entry).concat([entry]))) {
        event.preventDefault();
        words().then(function (w) {
          formSays(w.queued || "…", true);
        });
      }
    });
  }

  function freshToken() {
    var options = {credentials: "same-origin", redirect: "manual", cache: "no-store",
                   headers: {Accept: "application/json"}};
    return fetch(root + "/token", options).then(function (response) {
      return response.ok ? response.json().then(function (d) { return d.csrf_token; }) : null;
    }, function () {
      return undefined;
    });
  }

  // One queued completion: "sent", "gone" (no longer enrolled), "login", "failed" or
  // "offline". A stale CSRF token is replaced by a fresh one, once.
  function send(entry, token, retry) {
    var body = new FormData();
    body.append("csrf_token", token);
    return fetch(entry.url, {method: "POST", body: body, credentials: "same-origin",
                             redirect: "manual", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (response.type === "opaqueredirect") {
          return {state: "login"};
        }
        if (response.ok) {
          return response.json().then(function (data) {
            return {state: "sent", data: data};
          });
        }
        if (response.status === 400 && retry) {
          return freshToken().then(function (fresh) {
            if (fresh === undefined) {
              return {state: "offline"};
            }
            return fresh ? send(entry, fresh, false) : {state: "login"};
          });
        }
        return {state: response.status === 404 ? "gone" : "failed"};
      }, function () {
        return {state: "offline"};
      });
  }

  function mine() {
    return load().filter(function (e) { return e.user === user; });
  }

  // Send the queue, one completion after another; resolves once nothing more can go now.
  function flush() {
    var entry = mine()[0];
    if (busy || !entry || !online()) {
      return Promise.resolve();
    }
    busy = true;
    return send(entry, entry.token, true).then(function (result) {
      var state = result.state;
      if (state === "sent" || state === "gone") {
        store(without(entry));
      }
      return words().then(function (w) {
        busy = false;
        if (state === "sent" || state === "gone") {
          var text = (w[state] || "✓") + " " + entry.title;
          var done = state === "sent" && result.data.course_complete;
          tell("note", text, done ? result.data.next : "", w.course_done);
          if (form && form.action === entry.url) {
            formSays(text);
          }
          return flush();
        } else if (state === "login" || state === "failed") {
          tell("note", w[state === "login" ? "sign_in" : "failed"] || "");
        }
      });
    });
  }

  function idle() {
    return new Promise(function (resolve) {
      (function wait() {
        if (busy) {
          window.setTimeout(wait, 100);
        } else {
          resolve();
        }
      })();
    });
  }

  // Signing out clears this browser's storage (Clear-Site-Data), the queue with it: send
  // it first, and ask before dropping what cannot be sent now.
  var logout = document.querySelector("form[action$='/logout']");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      if (!mine().length) {
        return;
      }
      event.preventDefault();
      idle().then(flush).then(function () {
        var left = mine().length;
        if (!left) {
          logout.submit();
          return;
        }
        words().then(function (w) {
          var question = (w.unsent_on_logout || "").replace("{count}", String(left));
          if (window.confirm(question)) {
            logout.submit();
          }
        });
      });
    });
  }

  window.addEventListener("online", function () {
    fromCache = false;
    show();
    flush();
  });
  window.addEventListener("offline", show);
  show();
  flush();
})();
