// Organisation tree: the first click loads the children (htmx, once); later clicks fold and unfold them.
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
