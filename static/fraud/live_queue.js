/* Live alert queue: open alerts of every kind pushed to the analysts' group (/ws/analyst-queue/).
 * "<domain>.alert.created" prepends a row; "<domain>.alert.updated" updates its status.
 * Rendering is generic: kind, severity (or risk level), status, user, time, link.
 */
(function () {
  "use strict";
  var LINKS = {
    fraud: function (table, payload) {
      return table.dataset.fraudLink.replace("00000000-0000-0000-0000-000000000000", payload.alert_id);
    },
    ato: function (table, payload) {
      return "/admin/behavior/atoalert/?q=" + encodeURIComponent(payload.user_id || "");
    }
  };
  function kindOf(event) { return String(event || "").split(".")[0]; }
  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }
  function findRow(alertId) {
    return document.querySelector('#live-queue-rows tr[data-alert-id="' + CSS.escape(String(alertId)) + '"]');
  }
  function onCreated(table, event, payload) {
    if (!payload.alert_id || findRow(payload.alert_id)) return;
    var empty = document.querySelector("#live-queue-rows .live-queue-empty");
    if (empty) empty.remove();
    var kind = kindOf(event);
    var row = document.createElement("tr");
    row.dataset.alertId = payload.alert_id;
    row.dataset.kind = event;
    row.className = "live-queue-new";
    cell(row, kind);
    cell(row, payload.severity || payload.risk_level || "");
    cell(row, payload.status || "new", "live-status");
    cell(row, payload.user_id);
    cell(row, payload.created_at);
    var link = cell(row, "");
    var anchor = document.createElement("a");
    anchor.textContent = String(payload.alert_id).slice(0, 8);
    anchor.href = LINKS[kind] ? LINKS[kind](table, payload) : "#";
    link.appendChild(anchor);
    var body = document.getElementById("live-queue-rows");
    body.insertBefore(row, body.firstChild);
  }
  function onUpdated(payload) {
    var row = payload.alert_id && findRow(payload.alert_id);
    if (!row) return;
    var status = row.querySelector(".live-status");
    if (status) status.textContent = payload.status || "";
  }
  function start() {
    var table = document.getElementById("live-queue");
    var state = document.getElementById("live-queue-status");
    if (!table || !window.LakayLive) return;
    window.LakayLive.connect("/ws/analyst-queue/", function (event, payload) {
      if (/\.created$/.test(event)) onCreated(table, event, payload);
      else if (/\.updated$/.test(event)) onUpdated(payload);
    }, {
      onOpen: function () { state.textContent = "live"; document.documentElement.dataset.liveQueue = "ready"; },
      onReconnect: function () { window.location.reload(); }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
