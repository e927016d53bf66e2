// Mounts the vendored rasa-webchat widget (socket.io to Rasa) and fills its accessibility gaps.
// The widget keeps its conversation in localStorage and Rasa keeps the socket.io session (session_persistence),
// so a reload shows the history. Language and page context travel with every message as customData.
(function () {
  "use strict";
  const config = window.SIGNPOST || {};
  const mount = document.getElementById("webchat");
  const chat = document.getElementById("chat");
  if (!mount || !window.WebChat) return;

  const customData = {
    language: (document.documentElement.lang || "en").split("-")[0],
    page: location.pathname,
    page_title: document.title,
    page_topic: chat.dataset.pageTopic || null,
  };

  // Long-polling first, then the upgrade to a websocket (bot/rasa_ext/serve.py fixes Sanic 21.12's websocket on
  // Python 3.11); behind a proxy that blocks websockets the widget simply stays on polling.
  window.WEBCHAT_SOCKET_OPTIONS = {transports: ["polling", "websocket"]};

  window.WebChat.default({
    socketUrl: config.rasaUrl,
    socketPath: "/socket.io/",
    customData: customData,
    embedded: true,
    title: "Signpost",
    subtitle: "Public services that fit your situation",
    inputTextFieldHint: "Type your message",
    connectingText: "Connecting to Signpost…",
    hideWhenNotConnected: false,
    showMessageDate: false,
    showCloseButton: false,
    showFullScreenButton: false,
    initPayload: "/greet",
    customMessageDelay: function () { return 0; },
    mainColor: "#0b3d91",
    userBackgroundColor: "#0b3d91",
    userTextColor: "#ffffff",
    params: {storage: "local"},
  }, mount);

  // --- accessibility: the widget renders divs and icon-only controls; label them and make them keyboard-usable.
  function label(el, text) {
    if (el && !el.getAttribute("aria-label")) el.setAttribute("aria-label", text);
  }

  function enhance() {
    const log = mount.querySelector(".rw-messages-container");
    if (log && !log.hasAttribute("role")) {
      log.setAttribute("role", "log");
      log.setAttribute("aria-live", "polite");
      log.setAttribute("aria-relevant", "additions");
      log.setAttribute("aria-label", "Conversation with Signpost");
      log.tabIndex = 0; // a scrollable region must be reachable by keyboard
    }
    label(mount.querySelector(".rw-new-message"), "Your message");
    label(mount.querySelector(".rw-send"), "Send message");
    label(mount.querySelector(".rw-sender"), "Send a message to Signpost");
    for (const svg of mount.querySelectorAll("svg:not([aria-hidden])")) {
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
    }
    for (const img of mount.querySelectorAll("img:not([alt])")) img.setAttribute("alt", "");
    for (const reply of mount.querySelectorAll("div.rw-reply:not([role])")) {
      reply.setAttribute("role", "button");
      reply.tabIndex = 0;
    }
    for (const a of mount.querySelectorAll("a[target=_blank]:not([data-sp])")) {
      a.dataset.sp = "1";
      a.setAttribute("rel", "noopener noreferrer");
      const hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " (opens in a new tab)";
      a.appendChild(hint);
    }
    for (const who of mount.querySelectorAll(".rw-message:not([data-sp])")) {
      who.dataset.sp = "1";
      const speaker = document.createElement("span");
      speaker.className = "visually-hidden";
      speaker.textContent = who.querySelector(".rw-client") ? "You said: " : "Signpost said: ";
      who.insertBefore(speaker, who.firstChild);
    }
  }

  // Quick-reply buttons are divs with a click handler: Enter and Space press them.
  mount.addEventListener("keydown", function (event) {
    const reply = event.target.closest && event.target.closest("div.rw-reply[role=button]");
    if (reply && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      reply.click();
      const input = mount.querySelector(".rw-new-message");
      if (input) input.focus();
    }
  });

  new MutationObserver(enhance).observe(mount, {childList: true, subtree: true});
  enhance();
})();
