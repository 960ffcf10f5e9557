// The 离线记录 page: the visit and progress forms save into the device's queue (PBQueue, static/js/pwa.js),
// the lists they choose from (today's targets, the user's open ledger items) are kept on the device for when there
// is no signal, and the queue is shown with each record's state, its refusal in Chinese, 重试 and 删除.
(function () {
  "use strict";

  var app = document.getElementById("offline-app");
  if (!app || !window.PBQueue) { return; }

  var KIND_LABELS = {visit: "走访", progress: "整改进展"};

  function text(element, value) { element.textContent = value; return element; }

  function make(tag, className, value) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (value !== undefined) { text(element, value); }
    return element;
  }

  // today's targets and open items: from the server when there is a network, else as last kept on the device
  var SOURCES = {
    targets: {url: app.dataset.today, keep: function () { return true; },
              label: function (t) { return t.org.name + "(" + t.round_name + ")"; }},
    items: {url: app.dataset.items, keep: function (i) { return i.editable; },
            label: function (i) { return i.problem.org.name + "：" + i.problem.description.slice(0, 30); }},
    checklists: {url: app.dataset.checklists, keep: function () { return true; },
                 label: function (c) { return c.name; }, items: function (c) { return c.items; }}
  };

  function load(name) {
    var source = SOURCES[name];
    var fresh = navigator.onLine ? fetch(source.url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
      .then(function (page) {
        var rows = (page.results || page).filter(source.keep).map(function (row) {
          return {id: row.id, label: source.label(row), items: source.items ? source.items(row) : null};
        });
        return PBQueue.lists(name, rows).then(function () { return rows; });
      }) : Promise.reject(new Error("offline"));
    return fresh.catch(function () { return PBQueue.lists(name).then(function (rows) { return rows || []; }); });
  }

  document.querySelectorAll("[data-choices]").forEach(function (select) {
    load(select.dataset.choices).then(function (rows) {
      select.replaceChildren(make("option", "", rows.length ? "请选择" : "没有可选的对象(请联网后打开本页一次)"));
      select.firstChild.value = "";
      rows.forEach(function (row) {
        var option = make("option", "", row.label);
        option.value = row.id;
        select.appendChild(option);
      });
    });
  });

  // a checklist's items, each with 合格 / 不合格 / 不适用, under the chosen checklist
  var VERDICTS = [["pass", "合格"], ["fail", "不合格"], ["na", "不适用"]];
  var checklist = app.querySelector("[name=checklist]");
  if (checklist) {
    checklist.addEventListener("change", function () {
      var box = app.querySelector("[data-checklist-items]");
      box.replaceChildren();
      PBQueue.lists("checklists").then(function (rows) {
        var chosen = (rows || []).find(function (row) { return String(row.id) === checklist.value; });
        (chosen ? chosen.items : []).forEach(function (item) {
          var row = make("div", "border-bottom py-1", "");
          row.dataset.checklistItem = item.id;
          row.appendChild(make("div", "small", item.text));
          VERDICTS.forEach(function (verdict) {
            var label = make("label", "form-check form-check-inline small mb-0", "");
            var radio = make("input", "form-check-input");
            radio.type = "radio";
            radio.name = "verdict-" + item.id;
            radio.value = verdict[0];
            label.appendChild(radio);
            label.appendChild(document.createTextNode(verdict[1]));
            row.appendChild(label);
          });
          box.appendChild(row);
        });
      });
    });
  }

  function checklistAnswers(form) {
    if (!form.checklist || !form.checklist.value) { return null; }
    var rows = form.querySelectorAll("[data-checklist-item]");
    var answers = Array.prototype.map.call(rows, function (row) {
      var ticked = row.querySelector("input:checked");
      return ticked ? {item: Number(row.dataset.checklistItem), verdict: ticked.value} : null;
    });
    if (answers.indexOf(null) >= 0) { return "检查清单还有未选择结论的项目。"; }
    return {template: form.checklist.value, answers: answers};
  }

  var findings = app.querySelector("[data-findings]");
  var template = app.querySelector("[data-finding-template]");
  var addFinding = app.querySelector("[data-add-finding]");
  if (addFinding) {
    addFinding.addEventListener("click", function () {
      findings.appendChild(template.content.cloneNode(true));
    });
  }

  function files(input) {
    return Array.prototype.slice.call(input.files || []);
  }

  function problem(message) {
    var status = app.querySelector("[data-sync-status]");
    status.className = "alert alert-danger small py-2";
    status.hidden = false;
    text(status, message);
  }

  var READERS = {
    visit: function (form) {
      var methods = Array.prototype.map.call(form.querySelectorAll("[name=methods]:checked"), function (box) {
        return box.value;
      });
      if (!form.target.value) { return "请选择检查对象。"; }
      if (!methods.length) { return "请至少选择一种检查方式。"; }
      var written = Array.prototype.map.call(form.querySelectorAll("[data-finding]"), function (fieldset) {
        return {kind: fieldset.querySelector("[name=kind]").value, text: fieldset.querySelector("[name=text]").value.trim(),
                photos: files(fieldset.querySelector("[name=finding-files]"))};
      }).filter(function (finding) { return finding.text || finding.photos.length; });
      if (written.some(function (finding) { return !finding.text; })) { return "每条发现都要写明内容。"; }
      var answered = checklistAnswers(form);
      if (typeof answered === "string") { return answered; }
      return {kind: "visit", target: form.target.value, title: form.target.selectedOptions[0].textContent,
              methods: methods, summary: form.summary.value, photos: files(form.files), findings: written,
              checklist: answered};
    },
    progress: function (form) {
      var percent = Number(form.percent.value);
      if (!form.item.value) { return "请选择整改事项。"; }
      if (!form.text.value.trim()) { return "请填写本月进展。"; }
      if (!(percent >= 0 && percent <= 100)) { return "完成进度应在 0 到 100 之间。"; }
      return {kind: "progress", item: form.item.value, title: form.item.selectedOptions[0].textContent,
              text: form.text.value.trim(), percent: percent, photos: files(form.files)};
    }
  };

  app.querySelectorAll("[data-offline-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var job = READERS[form.dataset.offlineForm](form);
      if (typeof job === "string") { problem(job); return; }
      PBQueue.add(job).then(function () {
        form.reset();
        if (findings && form.contains(findings)) {
          findings.replaceChildren();
          app.querySelector("[data-checklist-items]").replaceChildren();
        }
        var status = app.querySelector("[data-sync-status]");
        status.className = "alert alert-success small py-2";
        status.hidden = false;
        text(status, "已保存在本机，" + (navigator.onLine ? "正在上传。" : "网络恢复后自动上传。"));
      }, function () { problem("本机存储已满或不可用，记录没有保存。"); });
    });
  });

  function describe(job) {
    var photos = job.photos.length + (job.findings || []).reduce(function (sum, f) { return sum + f.photos.length; }, 0);
    return KIND_LABELS[job.kind] + "：" + job.title + (job.findings ? "，发现 " + job.findings.length + " 条" : "") +
      (job.checklist ? "，检查清单 " + job.checklist.answers.length + " 项" : "") + "，照片 " + photos + " 张";
  }

  function show(event) {
    var list = app.querySelector("[data-queue]");
    var all = event.detail;
    list.replaceChildren();
    if (!all.length) { list.appendChild(make("li", "list-group-item text-muted", "没有待同步的记录。")); }
    all.forEach(function (job) {
      var row = make("li", "list-group-item", "");
      row.dataset.job = job.id;
      row.appendChild(make("div", "", describe(job)));
      if (job.error) {
        row.appendChild(make("div", "text-danger", job.error));
        var again = make("button", "btn btn-sm btn-outline-secondary me-2 mt-1", "重试");
        again.type = "button";
        again.addEventListener("click", function () { PBQueue.retry(job.id); });
        row.appendChild(again);
        var drop = make("button", "btn btn-sm btn-outline-danger mt-1", "删除");
        drop.type = "button";
        drop.dataset.confirm = "删除后这条记录不会再上传，确定删除吗？";
        drop.addEventListener("click", function () { PBQueue.remove(job.id); });
        row.appendChild(drop);
      } else {
        row.appendChild(make("div", "text-muted", navigator.onLine ? "正在上传…" : "等待网络"));
      }
      list.appendChild(row);
    });
    text(app.querySelector("[data-network]"), navigator.onLine ? "当前在线。" : "当前离线，记录会先保存在本机。");
  }

  document.addEventListener("pb:queue", show);
  PBQueue.changed();
}());
