// Small page behaviours, attached here (never inline) so that the Content-Security-Policy forbids inline script.
//  - data-confirm="…" on a button, link or form: ask before something that cannot be undone or notifies someone.
//  - forms show a busy state while they are submitted (the button is disabled and says 处理中…).
//  - data-select-all="name" on a checkbox ticks every checkbox called "name" in the same form.
//  - data-count-answered on a form: "已答 x / y 项" in its [data-answered] element as radio groups are answered.
//  - data-auto-download on a link: followed once when it appears (a report that has just finished).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var asking = event.target.closest("[data-confirm]");
    if (asking && asking.tagName !== "FORM" && !window.confirm(asking.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.method.toLowerCase() !== "post" || form.hasAttribute("hx-post")) {
      return;
    }
    var button = event.submitter || form.querySelector("[type=submit]");
    if (button) {
      // the button's own name/value must still be sent: disable it after the browser has read the form
      window.setTimeout(function () {
        button.disabled = true;
        button.dataset.label = button.textContent;
        button.textContent = "处理中…";
        button.classList.add("pb-busy");
      }, 0);
    }
  });

  // a page restored from the back/forward cache shows its buttons again
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button.pb-busy").forEach(function (button) {
      button.disabled = false;
      button.textContent = button.dataset.label;
      button.classList.remove("pb-busy");
    });
  });

  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (all) {
      var form = all.form || document;
      form.querySelectorAll("input[type=checkbox][name='" + all.dataset.selectAll + "']").forEach(function (box) {
        box.checked = all.checked;
      });
    }
    var counted = event.target.form && event.target.form.closest("[data-count-answered]");
    if (counted) {
      countAnswered(counted);
    }
  });

  function countAnswered(form) {
    var groups = {};
    form.querySelectorAll("input[type=radio]").forEach(function (radio) {
      groups[radio.name] = groups[radio.name] || radio.checked;
    });
    var names = Object.keys(groups);
    var answered = names.filter(function (name) { return groups[name]; }).length;
    form.querySelectorAll("[data-answered]").forEach(function (label) {
      label.textContent = "已答 " + answered + " / " + names.length + " 项";
    });
  }

  function start(root) {
    root.querySelectorAll("[data-count-answered]").forEach(countAnswered);
    root.querySelectorAll("a[data-auto-download]").forEach(function (link) {
      link.removeAttribute("data-auto-download");
      window.location.href = link.href;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("htmx:load", function (event) { start(event.detail.elt); });
})();

// The pickers (kernel/_picker.html: organisations, a 督办 的突出问题): a match clicked fills the hidden code and the search box.
document.addEventListener("click", function (event) {
  var choice = event.target.closest("[data-pick-code]");
  if (!choice) {
    return;
  }
  var picker = choice.closest(".pb-picker");
  picker.querySelector("input[type=hidden]").value = choice.dataset.pickCode;
  picker.querySelector("input[type=search]").value = choice.dataset.pickName;
  picker.querySelector(".pb-pick-current").textContent = "已选：" + choice.dataset.pickName;
  picker.querySelector(".pb-picks").innerHTML = "";
});
