// The to-do count beside the menu (待办): asked for after the page is drawn, so no page
// waits on it or pays its statements; the home page shows the list itself.
document.addEventListener("DOMContentLoaded", function () {
  var link = document.querySelector("[data-todo-count]");
  if (!link) {
    return;
  }
  fetch(link.getAttribute("data-todo-count"), { credentials: "same-origin" })
    .then(function (response) {
      return response.ok ? response.json() : { count: 0 };
    })
    .then(function (found) {
      var badge = link.querySelector(".badge");
      if (found.count > 0) {
        badge.textContent = found.count;
        badge.classList.remove("d-none");
      }
    });
});
