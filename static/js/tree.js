// Organisation tree: the first click loads the children (htmx, once); later clicks fold and unfold them.
// Handlers are attached here, not inline, so that the Content-Security-Policy can forbid inline script.
function pbToggle(button) {
  var children = button.parentElement.querySelector(":scope > .children");
  if (button.dataset.loaded) {
    children.hidden = !children.hidden;
  }
  button.dataset.loaded = "1";
  var open = !children.hidden;
  button.textContent = open ? "▾" : "▸";
  button.setAttribute("aria-expanded", open ? "true" : "false");
}

document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-pb-toggle]");
  if (toggle) {
    pbToggle(toggle);
  }
  // "加载更多": htmx has sent the request (its own listener runs first); the button's line goes away
  var more = event.target.closest("[data-pb-load-more]");
  if (more) {
    more.parentElement.remove();
  }
});
