// Ask before sending a form that carries data-confirm (a step that cannot simply be taken
// back); the person's "cancel" keeps the form unsent. A file of its own: the
// Content-Security-Policy runs no inline script or handler.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
