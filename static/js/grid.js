// Score grid: a cell the server refused is marked invalid and keeps its red message; a failed request
// (network down, server error) never looks saved.
function gridCell(event) {
  return event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("td") : null;
}
function markCell(cell, ok) {
  cell.querySelectorAll("input").forEach(function (input) {
    if (input.type !== "file") { input.classList.toggle("is-invalid", !ok); }
  });
}
document.addEventListener("htmx:afterSwap", function (event) {
  var cell = gridCell(event);
  var answer = cell && cell.querySelector(".status [data-ok]");
  if (answer) { markCell(cell, answer.dataset.ok === "1"); }
});
function gridFailed(event) {
  var cell = gridCell(event);
  var status = cell && cell.querySelector(".status");
  if (!status) { return; }
  var code = event.detail.xhr && event.detail.xhr.status ? "(" + event.detail.xhr.status + ")" : "";
  status.innerHTML = '<span class="small text-danger" data-ok="0">未保存：网络或服务器出错' + code + '，请重试</span>';
  markCell(cell, false);
}
document.addEventListener("htmx:responseError", gridFailed);
document.addEventListener("htmx:sendError", gridFailed);
