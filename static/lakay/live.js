/* Live views: one websocket per page, reconnecting with back-off. Pages call
 *   LakayLive.connect("/ws/analyst-queue/", (event, payload) => { ... });
 * The base URL comes from <meta name="lakay-ws-base" content="ws://host:port"> (see lakay/context_processors.py).
 * Messages are {"event": "...", "payload": {...}}. On reconnect the page should refetch (onReconnect).
 */
(function () {
  "use strict";
  function base() {
    var meta = document.querySelector('meta[name="lakay-ws-base"]');
    if (meta && meta.content) return meta.content;
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host;
  }
  function connect(path, onEvent, options) {
    options = options || {};
    var delay = 500, socket = null, closed = false, opened = false;
    function open() {
      socket = new WebSocket(base() + path);
      socket.onopen = function () {
        delay = 500;
        document.documentElement.dataset.liveStatus = "connected";
        if (opened && options.onReconnect) options.onReconnect();
        opened = true;
        if (options.onOpen) options.onOpen();
      };
      socket.onmessage = function (message) {
        var data;
        try { data = JSON.parse(message.data); } catch (e) { return; }
        onEvent(data.event, data.payload || {});
      };
      socket.onclose = function () {
        document.documentElement.dataset.liveStatus = "disconnected";
        if (closed) return;
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 15000);
      };
    }
    open();
    return { close: function () { closed = true; if (socket) socket.close(); } };
  }
  window.LakayLive = { connect: connect, base: base };
})();
