// Enhancement only: every page works without it. Changing "as of" or
// "known at" and pressing Enter already submits; this keeps the focus on the
// board's position line after a reload so keyboard users know where they are.
document.addEventListener("DOMContentLoaded", function () {
  var position = document.getElementById("position");
  if (position && window.location.search.indexOf("as_of") !== -1) {
    position.setAttribute("tabindex", "-1");
    position.focus();
  }
});
