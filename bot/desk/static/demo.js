// Minimal chat client for Rasa's REST channel. Text is always inserted as text (never HTML).
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  let sender = localStorage.getItem("signpost-sender");
  if (!sender) {
    sender = "web-" + crypto.randomUUID();
    localStorage.setItem("signpost-sender", sender);
  }

  function linkify(li, text) {
    const parts = text.split(/(https?:\/\/[^\s)]+)/g);
    for (const part of parts) {
      if (/^https?:\/\//.test(part)) {
        const a = document.createElement("a");
        a.href = part; a.textContent = part; a.target = "_blank"; a.rel = "noopener";
        li.appendChild(a);
      } else if (part) {
        li.appendChild(document.createTextNode(part));
      }
    }
  }

  function add(who, text, buttons) {
    const li = document.createElement("li");
    li.className = who;
    if (who === "bot") linkify(li, text || ""); else li.textContent = text;
    if (buttons && buttons.length) {
      const box = document.createElement("div");
      box.className = "buttons";
      for (const b of buttons) {
        const btn = document.createElement("button");
        btn.type = "button"; btn.textContent = b.title;
        btn.addEventListener("click", () => send(b.payload, b.title));
        box.appendChild(btn);
      }
      li.appendChild(box);
    }
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  async function send(message, shown) {
    add("user", shown || message);
    try {
      const resp = await fetch(RASA_URL + "/webhooks/rest/webhook", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({sender: sender, message: message, metadata: {language: document.documentElement.lang, page: location.pathname}}),
      });
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      for (const m of await resp.json()) add("bot", m.text, m.buttons);
    } catch (err) {
      add("bot", "Sorry, I can't reach the assistant right now. Please try again in a minute.");
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
})();
