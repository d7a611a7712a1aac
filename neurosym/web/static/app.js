// neurosym web app: a little vanilla JavaScript, served from the package (nothing from the internet).
// 1. While a plan is searching, poll the job's part and swap it in (progress, best itinerary so far).
// 2. "why?" / "why not?" links and the why-not form load their answer in place instead of a new page.
// Without JavaScript every link and form still works as a plain page.
(function () {
  "use strict";

  function poll(box) {
    if (!box || box.dataset.final === "true") return;
    var url = box.dataset.part;
    var timer = setInterval(function () {
      fetch(url, {headers: {"X-Requested-With": "fetch"}}).then(function (r) {
        if (r.status === 404) { clearInterval(timer); return null; }
        return r.text();
      }).then(function (html) {
        if (html === null || html === undefined) return;
        box.innerHTML = html;
        var head = box.querySelector(".job-head");
        var status = head ? head.dataset.status : "";
        if (status === "planned" || status === "no_itinerary" || status === "error") {
          box.dataset.final = "true";
          clearInterval(timer);
          document.title = document.title.replace("Planning…", status === "planned" ? "Your itinerary" :
            status === "no_itinerary" ? "No itinerary" : "Cannot plan");
        }
      }).catch(function () { /* the server may be busy: try again at the next tick */ });
    }, 700);
  }

  function load(url, target) {
    var slot = document.getElementById(target);
    if (!slot) { window.location = url; return; }
    slot.classList.add("open");
    slot.innerHTML = '<div class="dim"><span class="spinner"></span> asking the rules…</div>';
    fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "part=1").then(function (r) { return r.text(); })
      .then(function (html) { slot.innerHTML = html; })
      .catch(function () { slot.innerHTML = '<div class="banner bad">The server did not answer; try again.</div>'; });
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest("a.why");
    if (!a) return;
    ev.preventDefault();
    load(a.getAttribute("href"), a.dataset.target);
  });

  document.addEventListener("submit", function (ev) {
    var form = ev.target.closest("form.why-not-form");
    if (form) {
      ev.preventDefault();
      var item = form.querySelector("[name=item]").value;
      load(form.getAttribute("action") + "?item=" + encodeURIComponent(item), form.dataset.target);
      return;
    }
    var button = ev.target.querySelector("button[type=submit]");
    if (button && ev.target.id === "trip-form") { button.disabled = true; button.textContent = "Planning…"; }
  });

  poll(document.getElementById("job"));
})();
