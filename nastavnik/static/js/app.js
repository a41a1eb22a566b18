// Progressive enhancement only: every page works without this file.
// After an htmx swap the control that had the focus may be gone (a row rejected, a form replaced);
// htmx restores focus to an element with the same id when there is one, otherwise the keyboard user
// would be thrown back to the top of the page. Keep them where the change happened.
document.addEventListener("htmx:afterSettle", function (event) {
  var active = document.activeElement;
  if (active && active !== document.body) return;
  var target = event.detail && event.detail.target;
  if (!target || !target.isConnected) return;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
});
