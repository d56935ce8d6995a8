/* Live case page: every action on the case (by anyone) and new alerts of its customer appear without
 * reload, over /ws/compliance/cases/<id>/. Text only (textContent). */
(function () {
  "use strict";
  function start() {
    var root = document.querySelector(".lakay-case");
    if (!root || !window.LakayLive) return;
    var caseId = root.dataset.caseId;
    var timeline = document.getElementById("case-timeline");
    var banner = document.getElementById("live-banner");
    function seen(sequence) {
      return timeline.querySelector('li[data-sequence="' + sequence + '"]') !== null;
    }
    window.LakayLive.connect("/ws/compliance/cases/" + caseId + "/", function (event, payload) {
      if (event === "case.updated") {
        var entry = payload.entry || {};
        if (entry.sequence && !seen(entry.sequence)) {
          var item = document.createElement("li");
          item.dataset.sequence = entry.sequence;
          item.dataset.action = entry.action;
          item.className = "lakay-new";
          var when = document.createElement("time");
          when.textContent = (entry.at || "").replace("T", " ").slice(0, 19);
          var who = document.createElement("strong");
          who.textContent = " " + entry.actor + " ";
          item.appendChild(when);
          item.appendChild(who);
          item.appendChild(document.createTextNode(entry.summary || entry.action));
          timeline.appendChild(item);
        }
        var status = document.getElementById("case-status");
        if (status && payload.status_label) {
          status.textContent = payload.status_label;
          status.dataset.status = payload.status;
        }
        var assignee = document.getElementById("case-assignee");
        if (assignee) assignee.textContent = payload.assigned_to || "unassigned";
        banner.hidden = false;
        banner.textContent = (entry.actor || "Someone") + ": " + (entry.summary || entry.action) +
          " — reload for the new buttons.";
      } else if (event === "case.alert_arrived") {
        var list = document.getElementById("new-alerts");
        var empty = list.querySelector(".empty");
        if (empty) empty.remove();
        var li = document.createElement("li");
        li.className = "lakay-new";
        li.textContent = payload.alert_id + " " + payload.alert_type + " (" + payload.priority + "): " + payload.summary;
        list.appendChild(li);
      }
    }, { onOpen: function () { root.dataset.live = "connected"; } });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
