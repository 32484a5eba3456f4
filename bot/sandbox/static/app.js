// Frontline sandbox web view: who is who, the chat list, and the live event stream.
import { api, watch } from "./api.js";
import { ConversationView } from "./conversation.js";
import { ClockPanel, hideToast, renderNotes, renderTour, setupTourToggle } from "./panels.js";
import { Clockface, avatar, el, summary } from "./render.js";

const $ = (id) => document.getElementById(id);
const GROUP_ICONS = {
  plumbing: "🚰", electrical: "💡", gas_hvac: "🔥", lift_security: "🛗",
  dispatch: "📋", managers: "👔", emergency: "🚨",
};
const SECTIONS = [
  ["resident", "Residents"], ["staff", "Staff"], ["group", "Groups"],
];

class App {
  constructor(world) {
    this.world = world;
    this.clockface = new Clockface(world.clock.timezone);
    this.byId = new Map(world.people.map((p) => [p.id, p]));
    this.byKey = new Map(world.people.map((p) => [p.key, p]));
    this.chats = new Map();
    this.acting = new Map(); // chat id -> person id acting there
    for (const person of world.people) {
      this.chats.set(person.id, this.newChat(person.id, person.role === "resident" ? "resident" : "staff",
        person.name, person.title, { person }));
    }
    for (const group of world.groups) {
      const members = group.members.map((key) => this.byKey.get(key));
      this.chats.set(group.id, this.newChat(group.id, "group", group.title,
        `${group.about} · ${members.map((m) => m.name).join(", ")}`, { group, members, icon: GROUP_ICONS[group.key] }));
      const technician = members.find((m) => m.role === "technician") || members[0];
      this.acting.set(group.id, technician.id);
    }
    this.currentId = null;
    this.layout = $("layout");
    this.clock = new ClockPanel(this.clockface, () => this.refreshDays());
    this.clock.set(world.clock);
    this.view = new ConversationView(this);
    this.tour = setupTourToggle(this.layout);
    renderTour(world.tour, (step) => this.showStep(step));
    renderNotes(world.notes, world.framework);
    $("chat-filter").addEventListener("input", () => this.renderList());
    $("acting-as").addEventListener("change", (event) => this.switchActor(Number(event.target.value)));
    $("back-button").addEventListener("click", () => document.body.classList.remove("show-chat"));
  }

  newChat(id, kind, title, subtitle, extra) {
    return { id, kind, title, subtitle, messages: new Map(), loaded: false, unread: 0,
      last: null, replyKeyboard: null, ...extra };
  }

  currentChat() { return this.chats.get(this.currentId); }

  actingPerson() {
    const chat = this.currentChat();
    if (!chat) return null;
    return chat.person || this.byId.get(this.acting.get(chat.id));
  }

  // --- the chat list ----------------------------------------------------------------------
  renderList() {
    const filter = $("chat-filter").value.trim().toLowerCase();
    const now = this.clock.nowSeconds();
    const sections = SECTIONS.map(([kind, heading]) => {
      const chats = [...this.chats.values()].filter((c) => c.kind === kind &&
        (!filter || `${c.title} ${c.subtitle}`.toLowerCase().includes(filter)));
      if (!chats.length) return null;
      return el("section", { "aria-label": heading },
        el("h2", { class: "chat-section" }, heading),
        el("ul", {}, chats.map((chat) => el("li", {}, this.listItem(chat, now)))));
    });
    $("chat-list").replaceChildren(...sections.filter(Boolean));
  }

  listItem(chat, now) {
    const last = chat.last;
    let preview = last ? summary(last) : chat.subtitle;
    if (last && chat.kind === "group") preview = `${this.view.senderOf(last).name}: ${preview}`;
    const unread = chat.unread ? `${chat.unread} unread` : "";
    return el("button", {
      type: "button", class: "chat-item", "data-chat": chat.id,
      "aria-current": chat.id === this.currentId ? "true" : "false",
      "aria-label": `${chat.title}${unread ? `, ${unread}` : ""}`,
      onclick: () => this.open(chat.id),
    },
    avatar(chat.title, chat.id, { emoji: chat.icon }),
    el("span", { class: "chat-name" }, chat.title),
    el("span", { class: "chat-time" }, last ? this.clockface.listStamp(last.date, now) : ""),
    el("span", { class: "chat-preview" }, preview),
    el("span", { class: "badge", "aria-hidden": "true" }, chat.unread ? String(chat.unread) : ""));
  }

  updateListItem(chat) {
    const old = document.querySelector(`.chat-item[data-chat="${chat.id}"]`);
    if (old) old.replaceWith(this.listItem(chat, this.clock.nowSeconds()));
  }

  // --- opening a chat and choosing who you are --------------------------------------------
  async open(chatId, { actorId, focus = true, show = true } = {}) {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    if (actorId && chat.kind === "group" && chat.members.some((m) => m.id === actorId)) {
      this.acting.set(chat.id, actorId);
    }
    if (this.currentId !== chatId) hideToast(); // a toast belongs to the chat it came from
    this.currentId = chatId;
    chat.unread = 0;
    history.replaceState(null, "", `#chat=${chatId}`);
    if (show) document.body.classList.add("show-chat");
    this.renderHeader();
    this.renderList();
    if (!chat.loaded) {
      const messages = await api.history(chatId);
      for (const m of messages) chat.messages.set(m.message_id, m);
      chat.loaded = true;
      if (this.currentId !== chatId) return;
    }
    this.view.renderAll();
    if (focus) $("composer-input").focus({ preventScroll: true });
  }

  renderHeader() {
    const chat = this.currentChat();
    const actor = this.actingPerson();
    $("chat-avatar").replaceWith(Object.assign(avatar(chat.title, chat.id, { emoji: chat.icon }), { id: "chat-avatar" }));
    $("chat-title").textContent = chat.kind === "group" ? chat.title : `${chat.title} ↔ ${this.world.bot.name} bot`;
    $("chat-subtitle").textContent = chat.kind === "group"
      ? `${chat.members.length + 1} members with the bot · ${chat.group.about}`
      : `${chat.subtitle} · private chat with @${this.world.bot.username}`;
    const select = $("acting-as");
    const choices = chat.kind === "group" ? chat.members : this.world.people;
    select.replaceChildren(...choices.map((p) => el("option", {
      value: p.id, selected: p.id === actor.id ? true : undefined,
    }, `${p.name} (${roleName(p)})`)));
    $("composer-input").placeholder = `Message as ${actor.name}…`;
  }

  // In a private chat, becoming someone else means opening their chat; in a group, it
  // means speaking as another member of the same group.
  switchActor(personId) {
    const chat = this.currentChat();
    if (chat.kind !== "group") { this.open(personId); return; }
    this.acting.set(chat.id, personId);
    this.renderHeader();
    this.view.renderAll();
  }

  showStep(step) {
    const person = this.byKey.get(step.person);
    const chatId = step.chat ? this.world.groups.find((g) => g.key === step.chat).id : person.id;
    this.tour.close();
    this.open(chatId, { actorId: person.id, focus: !step.clock }).then(() => {
      if (step.example) this.view.prefill(step.example);
      if (step.clock) document.querySelector(`[data-jump="${step.clock}"]`)?.focus();
    });
  }

  refreshDays() {
    if (this.currentChat()?.loaded) this.view.renderAll();
    this.renderList();
  }

  // --- live events ------------------------------------------------------------------------
  onEvent(event) {
    switch (event.type) {
      case "message": return this.onMessage(event.chat_id, event.message, false);
      case "message_edited": return this.onMessage(event.chat_id, event.message, true);
      case "message_deleted": {
        const message = this.chats.get(event.chat_id)?.messages.get(event.message_id);
        if (message) this.onMessage(event.chat_id, { ...message, deleted: true }, true);
        return undefined;
      }
      case "callback_answered": return this.view.answered(event.callback);
      case "sandbox_clock": this.clock.set(event.clock); return this.refreshDays();
      case "reset": return location.reload();
      default: return undefined;
    }
  }

  onMessage(chatId, message, edit) {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    const known = chat.messages.has(message.message_id);
    if (chat.loaded || known) chat.messages.set(message.message_id, message);
    if (!chat.last || message.message_id >= chat.last.message_id) chat.last = message.deleted ? chat.last : message;
    if (message.keyboard) {
      if (message.keyboard.keyboard) chat.replyKeyboard = message.keyboard;
      else if (message.keyboard.remove_keyboard) chat.replyKeyboard = null;
    }
    const open = chatId === this.currentId && chat.loaded;
    if (open) {
      if (edit || known) this.view.edited(message);
      else this.view.added(message);
    } else if (!edit) {
      chat.unread += 1;
    }
    this.updateListItem(chat);
  }
}

function roleName(person) {
  return { resident: "resident", technician: "technician", dispatcher: "dispatcher", manager: "manager" }[person.role] || person.role;
}

async function boot() {
  let world;
  for (;;) {
    try { world = await api.world(); break; } catch { await new Promise((r) => setTimeout(r, 500)); }
  }
  // Listen first, load second: an event racing the first load is applied twice at worst.
  const early = [];
  let app = null;
  const connected = new Promise((resolve) => {
    watch((event) => (app ? app.onEvent(event) : early.push(event)), (ok) => {
      // The browser reconnects by itself; say so instead of looking frozen.
      $("brand-note").textContent = ok ? "demo estate · no Telegram" : "reconnecting…";
      if (ok) resolve();
    });
    setTimeout(resolve, 2000);
  });
  await connected;
  app = new App(world);
  window.sandbox = app; // for the curious developer's console
  for (const chat of await api.chats()) {
    const mine = app.chats.get(chat.id);
    if (mine) { mine.last = chat.last_message; mine.replyKeyboard = chat.reply_keyboard; }
  }
  app.renderList();
  const fromHash = Number(new URLSearchParams(location.hash.slice(1)).get("chat"));
  await app.open(app.chats.has(fromHash) ? fromHash : world.people[0].id, { focus: false, show: false });
  for (const event of early) app.onEvent(event);
  document.body.dataset.ready = "true";
}

boot();
