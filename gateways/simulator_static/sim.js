// The simulator's chat page: a small WhatsApp. The person at the keyboard plays several people
// (sellers, buyers, admins), each a chat with the dealer's account, which the bot runs. Sending
// goes through the simulator's control API; every chat is polled from /simulate/messages.
// Everything shown comes from strangers or the bot: text is only ever set with textContent.
"use strict";

const POLL_MS = 700;
const PHOTO_MAX_SIDE = 1600; // WhatsApp sends photos at most this wide or high, as JPEG
const ROLE_LABELS = {seller: "penjual", buyer: "pembeli", admin: "admin"};

const $ = (id) => document.getElementById(id);
const app = $("app"), log = $("log"), chatList = $("chats"), text = $("text"), photos = $("photos");

const contacts = new Map(); // number -> {number, name, role}
const messages = new Map(); // id -> message, every chat
const chatMessages = new Map(); // number -> [ids] in conversation order
const lastRead = new Map(); // number -> the last bot message id seen in that chat
const bubbles = new Map(); // id -> element, the open chat only
let logId = "", seq = 0, contactsSeq = 0, current = "", album = null;

// -- talking to the simulator ---------------------------------------------------------------

async function getJson(path) {
  const response = await fetch(path, {cache: "no-store"});
  if (!response.ok) throw new Error(path + ": " + response.status);
  return response.json();
}

async function postJson(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) note("Simulator: " + (answer.error || response.status));
  return response.ok ? answer : null;
}

async function loadChats() {
  const answer = await getJson("/simulate/chats");
  for (const chat of answer.chats) {
    contacts.set(chat.number, {number: chat.number, name: chat.name, role: chat.role});
  }
  const dealer = answer.dealer;
  $("dealer").textContent = "Akun showroom (dijalankan bot): " + dealer.name +
    (dealer.number ? " · " + phoneLabel(dealer.number) : "");
  renderChatList();
}

let polling = false, pollAgain = false;
async function poll() {
  if (polling) { pollAgain = true; return; }
  polling = true;
  try {
    do {
      pollAgain = false;
      const answer = await getJson("/simulate/messages?after=" + seq);
      if (answer.log !== logId) {
        const restarted = logId !== ""; // the bot (and its simulator) restarted: start over
        logId = answer.log;
        if (restarted) { startOver(); pollAgain = true; continue; }
      }
      let unknown = answer.contacts_seq > contactsSeq;
      for (const message of answer.messages) unknown = take(message) || unknown;
      seq = answer.seq;
      if (unknown) { contactsSeq = answer.contacts_seq; await loadChats(); }
      if (answer.messages.length) renderChatList();
    } while (pollAgain);
  } catch (error) {
    // the bot may be restarting: the next tick tries again
  } finally {
    polling = false;
  }
}

function startOver() {
  for (const known of [messages, chatMessages, lastRead, bubbles]) known.clear();
  seq = 0;
  contactsSeq = -1; // load the chat list again
  if (current) showLog(current);
}

async function pollForever() {
  await poll();
  setTimeout(pollForever, POLL_MS);
}

// A new or changed message: remember it, show it if its chat is open. True for a chat the
// page does not know yet (a script wrote as a new number).
function take(message) {
  const known = messages.has(message.id);
  messages.set(message.id, message);
  if (!known) {
    if (!chatMessages.has(message.chat)) chatMessages.set(message.chat, []);
    chatMessages.get(message.chat).push(message.id);
  }
  if (message.chat === current) {
    if (known && bubbles.has(message.id)) bubbles.get(message.id).replaceWith(bubble(message));
    else if (!known) {
      for (const empty of log.querySelectorAll(".empty")) empty.remove();
      log.appendChild(bubble(message)).scrollIntoView({block: "end"});
    }
    if (chatInView()) markRead(current);
  }
  return !contacts.has(message.chat);
}

// On a phone-sized screen the open chat is hidden while the chat list shows.
function chatInView() {
  return app.classList.contains("in-chat") || !matchMedia("(max-width: 700px)").matches;
}

// -- the chat list ----------------------------------------------------------------------------

function lastMessage(number) {
  const ids = chatMessages.get(number) || [];
  return ids.length ? messages.get(ids[ids.length - 1]) : null;
}

function unread(number) {
  const seen = lastRead.get(number) || 0;
  return (chatMessages.get(number) || [])
    .filter((id) => id > seen && messages.get(id).author === "bot").length;
}

function markRead(number) {
  const last = lastMessage(number);
  if (last) lastRead.set(number, last.id);
}

function renderChatList() {
  // Like WhatsApp: the chat with the latest message first; people who never wrote after them.
  const order = [...contacts.keys()].map((number, added) => [number, added]);
  order.sort(([a, addedA], [b, addedB]) =>
    ((lastMessage(b) || {id: 0}).id - (lastMessage(a) || {id: 0}).id) || addedA - addedB);
  chatList.replaceChildren(...order.map(([number]) => chatItem(contacts.get(number))));
}

function chatItem(contact) {
  const li = document.createElement("li");
  li.dataset.number = contact.number;
  li.className = contact.number === current ? "active" : "";
  li.setAttribute("role", "button");
  li.tabIndex = 0;
  const name = span("name", contact.name);
  if (ROLE_LABELS[contact.role]) {
    name.appendChild(span("role " + contact.role, ROLE_LABELS[contact.role]));
  }
  const last = lastMessage(contact.number);
  const count = unread(contact.number);
  li.append(
    name,
    span("time", last ? clock(last.at) : ""),
    span("preview", last ? preview(last) : phoneLabel(contact.number)),
    count ? span("unread", String(count)) : span("", ""),
  );
  li.addEventListener("click", () => openChat(contact.number));
  li.addEventListener("keydown", (event) => { if (event.key === "Enter") openChat(contact.number); });
  return li;
}

function preview(message) {
  const words = formatted(message.text.split("\n")[0]).textContent; // *bold* without stars
  const who = message.author === "person" ? "Anda: " : "";
  return who + (message.image ? "Foto" + (words ? ": " + words : "") : words);
}

// -- one chat ---------------------------------------------------------------------------------

function openChat(number) {
  if (album && album.chat !== number) closeAlbum();
  current = number;
  const contact = contacts.get(number) || {number, name: number, role: ""};
  $("chat-name").textContent = contact.name;
  $("chat-number").textContent = phoneLabel(number) +
    (ROLE_LABELS[contact.role] ? " · " + ROLE_LABELS[contact.role] : "");
  text.placeholder = "Ketik pesan sebagai " + contact.name;
  showLog(number);
  markRead(number);
  app.classList.add("in-chat");
  renderChatList();
  text.focus();
}

function showLog(number) {
  bubbles.clear();
  log.replaceChildren();
  for (const id of chatMessages.get(number) || []) log.appendChild(bubble(messages.get(id)));
  if (!log.childElementCount) {
    const name = (contacts.get(number) || {name: number}).name;
    note("Belum ada pesan. Anda mengetik sebagai " + name + ".").classList.add("empty");
  }
  if (log.lastElementChild) log.lastElementChild.scrollIntoView({block: "end"});
}

function bubble(message) {
  const div = document.createElement("div");
  div.className = "bubble " + (message.author === "person" ? "person" : "bot");
  div.dataset.id = message.id;
  const source = safeImage(message.image);
  if (source) {
    const img = document.createElement("img");
    img.src = source;
    img.alt = "foto";
    div.appendChild(img);
  }
  if (message.text) div.appendChild(span("text")).appendChild(formatted(message.text));
  const meta = span("meta", clock(message.at));
  if (message.author === "person") {
    const ticks = span("ticks", {sent: "✓", delivered: "✓✓", failed: "!"}[message.status] || "");
    ticks.dataset.status = message.status;
    ticks.title = {sent: "terkirim ke gateway", delivered: "diterima showroom",
                   failed: "gagal: showroom tidak menerima"}[message.status] || "";
    meta.appendChild(ticks);
  }
  div.appendChild(meta);
  bubbles.set(message.id, div);
  return div;
}

function note(words) {
  const p = span("note", words);
  log.appendChild(p).scrollIntoView({block: "end"});
  return p;
}

// WhatsApp's formatting (*bold*, _italic_, ~strike~, markers at word edges) and clickable
// http(s) links, built as elements and text nodes: nothing is ever parsed as HTML.
const MARKUP = /\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)'"])/g;
const TAGS = ["b", "i", "s"];

function formatted(words) {
  const out = document.createDocumentFragment();
  let from = 0;
  for (const match of words.matchAll(MARKUP)) {
    const end = match.index + match[0].length;
    const link = match[4];
    if (!link && (isWordChar(words[match.index - 1]) || isWordChar(words[end]))) continue;
    out.append(words.slice(from, match.index));
    if (link) {
      const a = document.createElement("a");
      a.href = link;
      a.textContent = link;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      out.appendChild(a);
    } else {
      const inner = match[1] ?? match[2] ?? match[3];
      const tag = TAGS[[match[1], match[2], match[3]].findIndex((x) => x !== undefined)];
      out.appendChild(document.createElement(tag)).appendChild(formatted(inner));
    }
    from = end;
  }
  out.append(words.slice(from));
  return out;
}

function isWordChar(character) {
  return character !== undefined && /[\p{L}\p{N}]/u.test(character);
}

// Only the simulator's own images (a path on this origin) or a photo picked on this page.
function safeImage(source) {
  if (typeof source !== "string") return "";
  if (/^\/[A-Za-z0-9_-][A-Za-z0-9_\/.-]*$/.test(source)) return source;
  if (/^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+\/=]+$/.test(source)) return source;
  return "";
}

function span(className, words) {
  const element = document.createElement(className === "note" ? "p" : "span");
  if (className) element.className = className;
  if (words) element.textContent = words;
  return element;
}

function clock(at) {
  const time = new Date(at * 1000);
  return String(time.getHours()).padStart(2, "0") + ":" + String(time.getMinutes()).padStart(2, "0");
}

function phoneLabel(number) {
  return /^\d+$/.test(number) ? "+" + number : number;
}

// -- typing and sending -----------------------------------------------------------------------

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const words = text.value.trim();
  if (!words || !current) return;
  text.value = "";
  fitComposer();
  await postJson("/simulate/message", {from: current, text: words});
  poll();
});

// Enter sends, Shift+Enter starts a new line (sellers type listings over several lines).
text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});
text.addEventListener("input", fitComposer);

function fitComposer() {
  text.rows = Math.min(6, Math.max(1, text.value.split("\n").length));
}

// Photos: picked together they are one album, each with an optional caption, as WhatsApp lets
// a seller type the listing under the first photo.
photos.addEventListener("change", async () => {
  const picked = [...photos.files].slice(0, 30);
  photos.value = "";
  if (!picked.length || !current) return;
  const chosen = [];
  for (const file of picked) {
    try {
      chosen.push(await asJpeg(file));
    } catch (error) {
      note("Bukan foto: " + file.name);
    }
  }
  if (chosen.length) showAlbum(chosen);
});

// WhatsApp re-encodes a photo before sending it: JPEG, at most 1600 px on its longer side.
async function asJpeg(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas.toDataURL("image/jpeg", 0.85);
}

// Like WhatsApp's: the picked photos in a row, one caption field for the selected photo.
function showAlbum(dataUrls) {
  album = {chat: current, photos: dataUrls, captions: dataUrls.map(() => ""), selected: 0};
  $("album-who").textContent = (contacts.get(current) || {name: current}).name;
  $("album-photos").replaceChildren(...dataUrls.map((dataUrl, n) => {
    const li = document.createElement("li");
    const img = document.createElement("img");
    img.src = safeImage(dataUrl);
    img.alt = "foto " + (n + 1);
    li.appendChild(img);
    li.addEventListener("click", () => selectAlbumPhoto(n));
    return li;
  }));
  $("album").hidden = false;
  selectAlbumPhoto(0);
}

function selectAlbumPhoto(n) {
  album.selected = n;
  [...$("album-photos").children].forEach((li, i) => {
    li.classList.toggle("selected", i === n);
    li.classList.toggle("captioned", Boolean(album.captions[i].trim()));
  });
  const caption = $("album-caption");
  caption.value = album.captions[n];
  caption.placeholder = "Keterangan foto " + (n + 1) + " (opsional)";
  caption.focus();
}

$("album-caption").addEventListener("input", (event) => {
  if (album) album.captions[album.selected] = event.target.value;
});

// Enter sends the album, Shift+Enter starts a new line, as in the composer.
$("album-caption").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("album").requestSubmit();
  }
});

function closeAlbum() {
  album = null;
  $("album").hidden = true;
  $("album-photos").replaceChildren();
  $("album-caption").value = "";
}

$("album-cancel").addEventListener("click", closeAlbum);
$("album").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!album) return;
  const captions = album.captions.map((caption) => caption.trim());
  const sending = {
    from: album.chat,
    photos: album.photos.map((dataUrl, n) => ({
      image_b64: dataUrl.split(",")[1],
      caption: captions[n] || "",
      // Like the real gateway, a photo's file is only saved a moment after its webhook.
      ready_after_s: 0.5 + Math.random() * 2.5,
    })),
  };
  closeAlbum();
  text.focus();
  await postJson("/simulate/album", sending);
  poll();
});

// -- people -----------------------------------------------------------------------------------

$("new-buyer").addEventListener("click", () => startAsNewBuyer(""));

async function startAsNewBuyer(prefilled) {
  const buyer = await postJson("/simulate/contacts", {});
  if (!buyer) return;
  contacts.set(buyer.number, buyer);
  openChat(buyer.number);
  text.value = prefilled;
  fitComposer();
  history.replaceState(null, "", "/?as=" + encodeURIComponent(buyer.number));
}

$("add-toggle").addEventListener("click", () => {
  const form = $("add-number");
  form.hidden = !form.hidden;
  $("add-toggle").setAttribute("aria-expanded", String(!form.hidden));
  if (!form.hidden) $("add-phone").focus();
});

$("add-number").addEventListener("submit", async (event) => {
  event.preventDefault();
  const added = await postJson("/simulate/contacts", {
    number: $("add-phone").value, name: $("add-name").value,
  });
  if (!added) return;
  contacts.set(added.number, added);
  $("add-number").reset();
  $("add-number").hidden = true;
  openChat(added.number);
});

$("back").addEventListener("click", () => {
  app.classList.remove("in-chat");
  renderChatList();
});

// -- start ------------------------------------------------------------------------------------

// `?as=new-buyer&text=...` (the catalog's "Chat via WhatsApp" in simulator mode) starts a new
// buyer with the message typed in, as wa.me does; `?as=<number>` opens (or adds) that number.
async function start() {
  try {
    await loadChats();
    await poll();
  } catch (error) {
    note("Simulator tidak menjawab: muat ulang halaman.");
    return;
  }
  for (const number of chatMessages.keys()) markRead(number);
  const wanted = new URLSearchParams(location.search);
  const as = wanted.get("as") || "";
  if (as === "new-buyer") {
    await startAsNewBuyer(wanted.get("text") || "");
  } else if (as) {
    const known = await postJson("/simulate/contacts", {number: as});
    if (known) { contacts.set(known.number, known); openChat(known.number); }
  } else {
    const first = [...contacts.values()].find((c) => c.role === "seller") || contacts.values().next().value;
    if (first) openChat(first.number);
    app.classList.remove("in-chat"); // on a phone, start at the chat list
  }
  renderChatList();
  setTimeout(pollForever, POLL_MS);
}

start();
