/* Signpost desk: live updates over server-sent events. Text is always inserted with textContent (never HTML). */
(function () {
  "use strict";
  var body = document.body;
  var page = body.getAttribute("data-page");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var status = document.getElementById("live-status");

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function claimForm(id) {
    var form = el("form");
    form.method = "post";
    form.action = "/desk/handoffs/" + encodeURIComponent(id) + "/claim";
    var hidden = el("input");
    hidden.type = "hidden"; hidden.name = "csrf"; hidden.value = csrf;
    var button = el("button", "Claim");
    button.type = "submit";
    form.appendChild(hidden); form.appendChild(button);
    return form;
  }

  function fill(tbodyId, rows, columns, emptyText, last) {
    var tbody = document.querySelector("#" + tbodyId + " tbody");
    if (!tbody) { return; }
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    if (!rows.length) {
      var tr = el("tr", null, "empty");
      var td = el("td", emptyText);
      td.colSpan = columns.length + 1;
      tr.appendChild(td); tbody.appendChild(tr);
      return;
    }
    rows.forEach(function (row) {
      var tr = el("tr");
      tr.setAttribute("data-handoff", row.id);
      columns.forEach(function (col) { tr.appendChild(el("td", col(row))); });
      var cell = el("td");
      cell.appendChild(last(row));
      tr.appendChild(cell);
      tbody.appendChild(tr);
    });
  }

  function situation(row) {
    return (row.life_events.join(", ") || "Not told yet") + (row.reason !== "asked" ? " [" + row.reason + "]" : "") +
      (row.assigned_to ? " [for " + row.assigned_to + "]" : "");
  }

  function refreshQueue() {
    fetch("/desk/api/queue", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        fill("waiting", data.waiting, [function (r) { return r.waiting_minutes + " min"; }, situation,
          function (r) { return r.place; }, function (r) { return r.language; }, function (r) { return r.channel; },
          function (r) { return r.team; }], "No one is waiting.", function (r) { return claimForm(r.id); });
        fill("claimed", data.claimed, [function (r) { return r.waiting_minutes + " min"; }, situation,
          function (r) { return r.place; }, function (r) { return r.channel; }, function (r) { return r.claimed_by; }],
          "No conversations in progress.", function (r) {
            var a = el("a", "Open" + (r.mine ? " (yours)" : ""));
            a.href = "/desk/handoffs/" + encodeURIComponent(r.id);
            return a;
          });
        var open = document.getElementById("callbacks-open");
        if (open) { open.textContent = data.callbacks_open; }
      })
      .catch(function () { if (status) { status.textContent = "Could not refresh the queue; retrying."; } });
  }

  function appendLine(event) {
    var list = document.getElementById("transcript");
    if (!list) { return; }
    var who = event.who === "citizen" ? "Citizen" : (event.who === "caseworker" ? (event.author || "Caseworker") : "Signpost");
    var li = el("li", null, "line " + event.who);
    li.appendChild(el("span", who, "who"));
    li.appendChild(el("span", new Date(event.at).toTimeString().slice(0, 5), "at"));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("span", event.text, "text"));
    list.appendChild(li);
    if (event.who === "citizen" && status) { status.textContent = "New message from the citizen."; }
  }

  // On a conversation page: say so when the citizen stops waiting or a colleague takes or closes it.
  function refreshStatus() {
    var id = Number(body.getAttribute("data-handoff"));
    fetch("/desk/api/queue", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var now = "closed";
        data.waiting.forEach(function (r) { if (r.id === id) { now = "waiting"; } });
        data.claimed.forEach(function (r) { if (r.id === id) { now = "claimed"; } });
        var shown = document.getElementById("status");
        if (shown && now !== body.getAttribute("data-status")) {
          body.setAttribute("data-status", now);
          shown.textContent = now === "closed" ? "closed or cancelled (reload for details)" : now;
          if (status) { status.textContent = "This conversation is now " + shown.textContent + "."; }
        }
      })
      .catch(function () { /* the next queue event tries again */ });
  }

  var canned = document.getElementById("canned");
  if (canned) {
    canned.addEventListener("change", function () {
      var box = document.getElementById("reply");
      if (box && canned.value) { box.value = canned.value; box.focus(); }
    });
  }

  if (!window.EventSource || !page) { return; }
  var source = new EventSource("/desk/events");
  source.addEventListener("queue", function () {
    if (page === "queue") { refreshQueue(); }
    if (page === "conversation") { refreshStatus(); }
  });
  source.addEventListener("message", function (e) {
    var data = JSON.parse(e.data);
    if (page === "conversation" && String(data.handoff_id) === body.getAttribute("data-handoff")) { appendLine(data); }
    if (page === "queue" && data.who === "citizen") { refreshQueue(); }
  });
  source.addEventListener("open", function () { if (status) { status.textContent = ""; } });
  source.addEventListener("error", function () { if (status) { status.textContent = "Reconnecting…"; } });
})();
