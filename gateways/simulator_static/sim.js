// The simulator's chat page: send as a seller through the control API, show the bot's replies.
"use strict";
const log = document.getElementById("log");
const from = document.getElementById("from");
const text = document.getElementById("text");
const photos = document.getElementById("photos");
let shown = 0;

function bubble(kind, content, image) {
  const div = document.createElement("div");
  div.className = "bubble " + kind;
  if (image) {
    const img = document.createElement("img");
    img.src = image;
    img.alt = "foto";
    div.appendChild(img);
  }
  if (content) {
    const span = document.createElement("span");
    span.innerHTML = whatsappFormat(content);
    div.appendChild(span);
  }
  log.appendChild(div);
  div.scrollIntoView({block: "end"});
}

// WhatsApp's own formatting: *bold*, _italic_, ~strike~. The text is escaped first.
function whatsappFormat(text) {
  const escaped = text.replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
  return escaped
    .replace(/\*([^*\n]+)\*/g, "<b>$1</b>")
    .replace(/(^|\W)_([^_\n]+)_(?=\W|$)/g, "$1<i>$2</i>")
    .replace(/~([^~\n]+)~/g, "<s>$1</s>");
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  });
  if (!response.ok) bubble("note", "Simulator: " + response.status);
  return response;
}

document.getElementById("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const message = text.value.trim();
  text.value = "";
  if (message) {
    bubble("me", message);
    await post("/simulate/message", {from: from.value, text: message});
  }
});

photos.addEventListener("change", async () => {
  for (const file of photos.files) {
    const dataUrl = await new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.readAsDataURL(file);
    });
    bubble("me", "", dataUrl);
    // Like the real gateway, the photo file only appears a moment after the webhook.
    await post("/simulate/image", {
      from: from.value, caption: "", image_b64: dataUrl.split(",")[1],
      ready_after_s: 0.5 + Math.random() * 2.5,
    });
  }
  photos.value = "";
});

async function poll() {
  try {
    const response = await fetch("/simulate/sent?to=" + encodeURIComponent(from.value));
    const sent = await response.json();
    for (; shown < sent.length; shown++) bubble("bot", sent[shown].text, sent[shown].image);
  } catch (error) {
    // the bot may be restarting: try again on the next tick
  }
  setTimeout(poll, 1000);
}
from.addEventListener("change", () => { shown = 0; });
poll();
