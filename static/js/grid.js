// Score grid: a cell is saved when one of its inputs changes (one listener for the whole table, so the page
// carries no request attributes per cell). A cell the server refused is marked invalid and keeps its red
// message; a failed request (network down, server error) never looks saved.
function markCell(cell, ok) {
  cell.querySelectorAll("input").forEach(function (input) {
    if (input.type !== "file") { input.classList.toggle("is-invalid", !ok); }
  });
}
function cellFailed(cell, code) {
  cell.querySelector(".status").innerHTML =
    '<span class="small text-danger" data-ok="0">未保存：网络或服务器出错' + code + "，请重试</span>";
  markCell(cell, false);
}
function saveCell(table, cell) {
  var form = table.closest("form");
  var body = new FormData();
  ["csrfmiddlewaretoken", "member", "correction_reason"].forEach(function (name) {
    var field = form.elements[name];
    if (field) { body.append(name, field.value); }
  });
  cell.querySelectorAll("input").forEach(function (input) {
    if (input.type === "file") {
      if (input.files.length) { body.append(input.name, input.files[0]); }
    } else {
      body.append(input.name, input.value);
    }
  });
  fetch(table.dataset.cellUrl, {method: "POST", body: body, credentials: "same-origin",
                                headers: {"HX-Request": "true"}})
    .then(function (response) {
      if (!response.ok) { cellFailed(cell, "(" + response.status + ")"); return null; }
      return response.text();
    })
    .then(function (html) {
      if (html === null) { return; }
      var status = cell.querySelector(".status");
      status.innerHTML = html;
      var answer = status.querySelector("[data-ok]");
      if (answer) { markCell(cell, answer.dataset.ok === "1"); }
    })
    .catch(function () { cellFailed(cell, ""); });
}
document.querySelectorAll("table[data-cell-url]").forEach(function (table) {
  table.addEventListener("change", function (event) {
    var cell = event.target.closest("td");
    if (cell && event.target.name && !/^(member|correction_reason)$/.test(event.target.name)) {
      saveCell(table, cell);
    }
  });
});
