// A mentor keeps working without a signal. Pages they opened stay readable (the service worker,
// /sw.js). Forms marked data-offline-queue (a note, a step move, a visit with photos) are kept
// in IndexedDB while offline or when sending fails, then sent in order, one at a time, each with
// an Idempotency-Key so that the server applies it once. Every string shown comes from the page.
(function () {
  "use strict";
  var DB = "karawang-offline";
  var MAX_SIDE = 1600; // photos are shrunk before they wait; the server still checks them
  var body = document.body;
  var box = document.getElementById("offline-queue");
  var banner = document.getElementById("offline-banner");
  var sent = []; // sent this visit: shown once, no longer stored

  if (body.dataset.sw && "serviceWorker" in navigator) {
    var installing = !navigator.serviceWorker.controller;
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // This page came before the worker: keep it too (the worker asks the server whether it may).
      if (installing) registration.active.postMessage({ keep: location.href });
    }).catch(function () {});
  }

  function showBanner() {
    if (banner) banner.hidden = navigator.onLine && !body.hasAttribute("data-cached-copy");
  }

  function store(mode, work) {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open(DB, 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
      };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var db = open.result;
        var tx = db.transaction("queue", mode);
        var request = work(tx.objectStore("queue"));
        tx.oncomplete = function () { db.close(); resolve(request.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      };
    });
  }
  function items() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (all) {
      return all.filter(function (item) { return item.user === box.dataset.user; });
    });
  }
  function save(item) { return store("readwrite", function (s) { return s.put(item); }); }
  function drop(id) { return store("readwrite", function (s) { return s.delete(id); }); }

  // Logging out leaves nothing of this user on the device (the server also sends
  // Clear-Site-Data, which some browsers ignore).
  async function forget() {
    await new Promise(function (done) {
      var request = indexedDB.deleteDatabase(DB);
      request.onsuccess = request.onerror = request.onblocked = done;
    });
    if (window.caches) {
      for (var name of await caches.keys()) await caches.delete(name);
    }
    if (navigator.serviceWorker) {
      for (var registration of await navigator.serviceWorker.getRegistrations()) {
        await registration.unregister();
      }
    }
  }

  async function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) return file;
    try {
      var bitmap = await createImageBitmap(file);
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      var jpeg = await new Promise(function (done) { canvas.toBlob(done, "image/jpeg", 0.8); });
      return jpeg ? new File([jpeg], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : file;
    } catch (error) {
      return file;
    }
  }

  // The form's fields, photos shrunk; without the CSRF token (the page's current one is sent).
  async function fieldsOf(form) {
    var fields = [];
    for (var [name, value] of new FormData(form)) {
      if (name === "csrfmiddlewaretoken") continue;
      if (value instanceof File) {
        if (value.size) fields.push([name, await shrink(value)]);
      } else {
        fields.push([name, value]);
      }
    }
    return fields;
  }

  async function enqueue(form, fields) {
    fields = fields || (await fieldsOf(form));
    await save({
      user: box.dataset.user,
      action: form.action,
      label: form.dataset.offlineQueue,
      back: form.dataset.offlineReturn || "",
      fields: fields,
      // The key of the htmx post that failed: if it did reach the server, it is not applied twice.
      key: form.dataset.offlineKey || crypto.randomUUID(),
      created: Date.now(),
      state: "waiting",
      message: "",
    });
    delete form.dataset.offlineKey;
    form.reset();
    var messages = document.getElementById("messages");
    if (messages) {
      var note = document.createElement("p");
      note.className = "message warning";
      note.setAttribute("role", "status");
      note.textContent = box.dataset.queued;
      messages.replaceChildren(note);
    }
    await render();
    box.scrollIntoView({ block: "nearest" });
  }

  function csrf() {
    return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  }

  async function reason(response) {
    var page = new DOMParser().parseFromString(await response.text(), "text/html");
    var errors = page.querySelectorAll("main .errors, main [id^='errors-'], main .message.error");
    var text = Array.from(errors, function (e) { return e.textContent.trim(); }).filter(Boolean);
    return text.join(" ") || body.dataset.msgDenied;
  }

  // One item; false when the network is down (it and the ones after it keep waiting).
  function post(action, fields, key, headers) {
    var data = new FormData();
    fields.forEach(function (field) { data.append(field[0], field[1]); });
    data.append("csrfmiddlewaretoken", csrf());
    return fetch(action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: Object.assign({ "Idempotency-Key": key, "X-CSRFToken": csrf() }, headers),
    });
  }

  // A plain form (the visit with its photos) sent online: photos shrunk first, and if the
  // upload breaks off on the way (the signal came and went) the visit waits on the phone
  // under the same key instead of being lost. Form errors show as without this script.
  async function upload(form) {
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    var fields = await fieldsOf(form);
    var key = crypto.randomUUID();
    var response;
    try {
      // As htmx would: the server answers a saved visit with HX-Redirect, not a redirect
      // this script would follow (and spend the page's "saved" message on).
      response = await post(form.action, fields, key, { "HX-Request": "true" });
    } catch (error) {
      form.dataset.offlineKey = key;
      if (button) button.disabled = false;
      return enqueue(form, fields);
    }
    if (response.redirected && new URL(response.url).pathname === box.dataset.login) {
      form.dataset.offlineKey = key; // signed out meanwhile: kept, sent after signing in
      if (button) button.disabled = false;
      return enqueue(form, fields);
    }
    if (response.ok && response.headers.get("HX-Redirect")) {
      return location.assign(response.headers.get("HX-Redirect"));
    }
    // Refused (form errors, 403/404): the answer is the page saying why; show it rather than
    // posting the photos again.
    var page = new DOMParser().parseFromString(await response.text(), "text/html");
    var main = page.querySelector("main");
    if (!main) return form.submit();
    document.querySelector("main").replaceWith(main);
    main.scrollIntoView({ block: "start" });
  }

  async function send(item) {
    var response;
    try {
      response = await post(item.action, item.fields, item.key);
    } catch (error) {
      return false;
    }
    item.message = "";
    if (response.redirected && new URL(response.url).pathname === box.dataset.login) {
      item.state = "failed"; // signed out meanwhile: kept until sent again after signing in
      item.message = box.dataset.signIn;
    } else if (response.ok) {
      item.state = "sent";
    } else if (response.status === 409) {
      item.state = "conflict";
    } else if (response.status < 500) {
      item.state = "refused";
      item.message = await reason(response);
    } else {
      item.state = "failed";
    }
    if (item.state === "sent") {
      await drop(item.id);
      sent.push(item);
    } else {
      await save(item);
    }
    return true;
  }

  var sending = false;
  async function sendAll() {
    if (sending || !navigator.onLine) return;
    sending = true;
    try {
      for (var item of await items()) {
        if (item.state === "waiting" && !(await send(item))) break;
      }
    } finally {
      sending = false;
      await render();
    }
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function button(text, act) {
    var node = element("button", text);
    node.type = "button";
    node.addEventListener("click", act);
    return node;
  }

  function row(item) {
    var li = element("li");
    li.dataset.state = item.state;
    var state = box.dataset["state" + item.state[0].toUpperCase() + item.state.slice(1)];
    li.append(element("span", item.label), " ", element("strong", state || item.state, "badge"));
    if (item.message) li.append(" ", element("span", item.message, "muted"));
    if (item.state === "conflict" && item.back) {
      var link = element("a", box.dataset.open);
      link.href = item.back;
      li.append(" ", link);
    }
    if (item.state === "sent") return li;
    var actions = element("span", "", "actions");
    if (item.state !== "conflict") {
      actions.append(button(box.dataset.retry, async function () {
        item.state = "waiting";
        await save(item);
        await sendAll();
      }));
    }
    actions.append(button(box.dataset.discard, async function () {
      await drop(item.id);
      await render();
    }));
    li.append(" ", actions);
    return li;
  }

  async function render() {
    var all = (await items()).concat(sent);
    var waiting = all.filter(function (item) { return item.state === "waiting"; }).length;
    box.hidden = all.length === 0;
    box.querySelector("h2").textContent = box.dataset.count.replace("{n}", waiting);
    box.querySelector("ul").replaceChildren.apply(box.querySelector("ul"), all.map(row));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-offline-logout]")) {
      event.preventDefault();
      forget().finally(function () { form.submit(); });
    } else if (box && form.matches("[data-offline-queue]") && !navigator.onLine) {
      // Before htmx or the browser sends it: offline, the form waits on the phone.
      event.preventDefault();
      event.stopImmediatePropagation();
      enqueue(form);
    } else if (box && form.matches("[data-offline-queue]:not([hx-post])")) {
      event.preventDefault();
      upload(form);
    }
  }, true);

  if (!box) return;
  // The htmx post of a queueable form carries a key too: if its answer is lost on the way,
  // the queued copy is recognised by the server.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches("[data-offline-queue]")) return;
    form.dataset.offlineKey = form.dataset.offlineKey || crypto.randomUUID();
    event.detail.headers["Idempotency-Key"] = form.dataset.offlineKey;
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt.matches("[data-offline-queue]")) enqueue(event.detail.elt);
  });
  window.addEventListener("online", function () { showBanner(); sendAll(); });
  window.addEventListener("offline", showBanner);
  showBanner();
  render().then(sendAll);
})();
