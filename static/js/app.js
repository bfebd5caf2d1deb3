// Tell the user when an htmx request fails instead of doing nothing: on a weak mobile signal
// a silent failure looks like a saved change.
(function () {
  function show(text) {
    var box = document.getElementById("messages");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "message error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.replaceChildren(p);
    box.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("htmx:sendError", function () {
    show(document.body.dataset.msgOffline);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    show(status === 403 || status === 404 ? document.body.dataset.msgDenied : document.body.dataset.msgError);
  });
})();
