/* Live compliance queue: new alerts (and case changes) arrive over /ws/compliance/queue/ without reload.
 * Text only (textContent), never HTML from the payload. */
(function () {
  "use strict";
  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    row.appendChild(td);
    return td;
  }
  function start() {
    var panel = document.getElementById("live-queue");
    if (!panel || !window.LakayLive) return;
    var body = panel.querySelector("#live-alerts tbody");
    var status = document.getElementById("live-status");
    var base = panel.dataset.alertUrl;
    window.LakayLive.connect("/ws/compliance/queue/", function (event, payload) {
      if (event === "compliance.alert.raised") {
        var row = document.createElement("tr");
        row.className = "lakay-new priority-" + payload.priority;
        row.dataset.alertId = payload.alert_id;
        var first = cell(row, "");
        var link = document.createElement("a");
        link.href = base + "?q=" + encodeURIComponent(payload.alert_id);
        link.textContent = payload.alert_id;
        first.appendChild(link);
        cell(row, payload.user_id);
        cell(row, payload.alert_type);
        cell(row, payload.priority);
        cell(row, payload.recommended_action);
        cell(row, payload.amount_total);
        cell(row, payload.created_at);
        body.insertBefore(row, body.firstChild);
      } else if (event === "compliance.alert.updated" || event === "compliance.case.updated") {
        panel.dataset.lastChange = JSON.stringify(payload);
      }
    }, {
      onOpen: function () { status.textContent = "live"; panel.dataset.live = "connected"; },
      onReconnect: function () { status.textContent = "live (reconnected)"; }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
