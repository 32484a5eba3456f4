// The open chat: its messages (kept in place as they are edited), the reply keyboard, and the
// composer that writes, taps and shares as the person you are acting as.
import { api, blobToBase64 } from "./api.js";
import { dayItem, el, messageItem } from "./render.js";
import { showAlert, showToast } from "./panels.js";

const $ = (id) => document.getElementById(id);
const RUN_SECONDS = 300; // bubbles of one sender closer than this are drawn as one run

export class ConversationView {
  constructor(app) {
    this.app = app;
    this.list = $("messages");
    this.input = $("composer-input");
    this.replyKeyboard = $("reply-keyboard");
    this.pending = new Map(); // callback id -> true, for presses made on this page
    this.answers = new Map(); // callback id -> answer that arrived before our press returned
    $("composer").addEventListener("submit", (event) => { event.preventDefault(); this.sendText(); });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.sendText();
      }
    });
    this.input.addEventListener("input", () => this.autosize());
    this.setupMenus();
  }

  get chat() { return this.app.currentChat(); }
  get actor() { return this.app.actingPerson(); }

  // --- rendering ------------------------------------------------------------------------
  senderOf(message) {
    if (message.from_bot) return { id: message.from?.id ?? 0, name: this.app.world.bot.name, bot: true };
    const person = this.app.byId.get(message.from?.id);
    const name = person?.name || [message.from?.first_name, message.from?.last_name].filter(Boolean).join(" ");
    return { id: message.from?.id ?? 0, name, bot: false };
  }

  item(message, continued) {
    const chat = this.chat;
    const sender = this.senderOf(message);
    return messageItem(message, {
      outgoing: !message.from_bot && sender.id === this.actor?.id,
      showSender: chat.kind === "group",
      senderName: sender.name, senderId: sender.id, isBot: sender.bot,
      clock: this.app.clockface, continued,
      onPress: (msg, button, node) => this.press(msg, button, node),
    });
  }

  visible(chat) {
    return [...chat.messages.values()].filter((m) => !m.deleted)
      .sort((a, b) => a.message_id - b.message_id);
  }

  sameRun(a, b) {
    return a && b && (a.from?.id === b.from?.id) && Math.abs(b.date - a.date) < RUN_SECONDS &&
      this.app.clockface.dayKey(a.date) === this.app.clockface.dayKey(b.date);
  }

  renderAll() {
    const chat = this.chat;
    const messages = this.visible(chat);
    const now = this.app.clock.nowSeconds();
    const nodes = [];
    let day = "";
    messages.forEach((message, i) => {
      const key = this.app.clockface.dayKey(message.date);
      if (key !== day) {
        day = key;
        nodes.push(dayItem(this.app.clockface.dayLabel(message.date, now)));
      }
      nodes.push(this.item(message, this.sameRun(message, messages[i + 1])));
    });
    if (!messages.length) {
      nodes.push(el("li", { class: "empty-chat" }, chat.kind === "group"
        ? "No messages in this group yet."
        : "No messages yet. Send /start or write what you need."));
    }
    // Redrawing a whole chat is not news: keep screen readers from reading it all out.
    this.list.setAttribute("aria-live", "off");
    this.list.replaceChildren(...nodes);
    setTimeout(() => this.list.setAttribute("aria-live", "polite"), 0);
    this.renderReplyKeyboard();
    this.scrollToBottom();
  }

  // A new message in the open chat: append it (or redraw if it arrived out of order).
  added(message) {
    const items = this.list.querySelectorAll("li.msg");
    const last = items[items.length - 1];
    if (this.list.querySelector(".empty-chat") || (last && Number(last.dataset.id) > message.message_id)) {
      this.renderAll();
      return;
    }
    const nearBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 120;
    const messages = this.visible(this.chat);
    const previous = messages[messages.length - 2];
    if (!previous || this.app.clockface.dayKey(previous.date) !== this.app.clockface.dayKey(message.date)) {
      this.list.append(dayItem(this.app.clockface.dayLabel(message.date, this.app.clock.nowSeconds())));
    } else if (last && this.sameRun(previous, message)) {
      last.classList.add("continued");
    }
    const node = this.item(message, false);
    this.list.append(node);
    if (message.keyboard) this.renderReplyKeyboard();
    if (nearBottom || node.classList.contains("out")) this.scrollToBottom();
  }

  // An edit: the bubble changes in place, the way Telegram shows it.
  edited(message) {
    const old = this.list.querySelector(`li.msg[data-id="${message.message_id}"]`);
    if (!old) { this.renderAll(); return; }
    if (message.deleted) { old.remove(); return; }
    const node = this.item(message, old.classList.contains("continued"));
    old.replaceWith(node);
    node.querySelector(".bubble")?.classList.add("flash");
  }

  scrollToBottom() {
    requestAnimationFrame(() => { this.list.scrollTop = this.list.scrollHeight; });
  }

  renderReplyKeyboard() {
    const markup = this.chat.replyKeyboard;
    const rows = markup?.keyboard;
    this.replyKeyboard.hidden = !rows?.length;
    this.replyKeyboard.replaceChildren(...(rows || []).map((row) => el("div", { class: "reply-row" },
      row.map((button) => el("button", {
        type: "button", onclick: () => this.replyButton(button),
      }, button.text)))));
  }

  autosize() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 160)}px`;
  }

  prefill(text) {
    this.input.value = text;
    this.autosize();
    this.input.focus();
  }

  // --- acting -----------------------------------------------------------------------------
  async act(action) {
    try {
      return await action();
    } catch (error) {
      showToast(error.message);
      return null;
    }
  }

  async sendText() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.autosize();
    await this.act(() => api.sendText(this.actor.id, this.chat.id, text));
  }

  async press(message, button, node) {
    node.setAttribute("aria-busy", "true");
    const result = await this.act(() => api.press(this.actor.id, this.chat.id, message.message_id, button.callback_data));
    node.removeAttribute("aria-busy");
    if (!result) return;
    const early = this.answers.get(result.callback_query_id);
    if (early) this.showAnswer(early);
    else this.pending.set(result.callback_query_id, true);
  }

  // The bot's answerCallbackQuery: a toast, or an alert the person must close.
  answered(callback) {
    if (!callback?.answer) return;
    if (!this.pending.delete(callback.id)) {
      this.answers.set(callback.id, callback.answer);
      return;
    }
    this.showAnswer(callback.answer);
  }

  showAnswer(answer) {
    if (!answer.text) return;
    if (answer.show_alert) showAlert(answer.text);
    else showToast(answer.text);
  }

  async replyButton(button) {
    const chat = this.chat;
    const sent = await this.act(() => api.replyButton(this.actor.id, chat.id, button.text));
    if (sent) {
      const fresh = await this.act(() => api.chat(chat.id)); // a one-time keyboard is gone now
      if (fresh) { chat.replyKeyboard = fresh.reply_keyboard; this.renderReplyKeyboard(); }
    }
  }

  // Her last text (or photo's caption) here becomes the message box's text; an empty box is
  // filled with the old words first, to be changed.
  async editLast() {
    const mine = this.visible(this.chat).filter((m) => !m.from_bot && m.from?.id === this.actor.id &&
      (m.text !== undefined || m.photo !== undefined)).pop();
    if (!mine) { showToast("You have sent no message here to edit."); return; }
    const text = this.input.value.trim();
    if (!text) { this.prefill(mine.text ?? mine.caption ?? ""); showToast("Change the text, then choose Edit again."); return; }
    this.input.value = "";
    this.autosize();
    await this.act(() => api.editText(this.actor.id, this.chat.id, mine.message_id, text));
  }

  async sendPhoto(blob) {
    const caption = this.input.value.trim();
    const base64 = await blobToBase64(blob);
    this.input.value = "";
    await this.act(() => api.sendPhoto(this.actor.id, this.chat.id, base64, caption));
  }

  // --- the "/" and 📎 menus ---------------------------------------------------------------
  setupMenus() {
    const commandsButton = $("commands-button");
    const attachButton = $("attach-button");
    const commandsMenu = $("commands-menu");
    const attachMenu = $("attach-menu");
    const photoInput = $("photo-input");
    const close = () => {
      for (const [button, menu] of [[commandsButton, commandsMenu], [attachButton, attachMenu]]) {
        menu.hidden = true;
        button.setAttribute("aria-expanded", "false");
      }
    };
    const open = (button, menu) => {
      const wasOpen = !menu.hidden;
      close();
      if (wasOpen) return;
      menu.hidden = false;
      button.setAttribute("aria-expanded", "true");
      menu.querySelector("button")?.focus();
    };
    commandsButton.addEventListener("click", async () => {
      const actor = this.actor;
      const found = await this.act(() => api.commands(this.chat.id, actor.id, actor.language_code));
      const commands = found?.commands || [];
      commandsMenu.replaceChildren(...(commands.length ? commands : [{ command: "start", description: "" }])
        .map((c) => el("button", {
          type: "button", role: "menuitem",
          onclick: () => { close(); this.act(() => api.sendText(actor.id, this.chat.id, `/${c.command}`)); },
        }, el("span", { class: "command-name" }, `/${c.command}`), el("span", { class: "command-help" }, c.description))));
      open(commandsButton, commandsMenu);
    });
    attachButton.addEventListener("click", () => open(attachButton, attachMenu));
    attachMenu.addEventListener("click", async (event) => {
      const kind = event.target.closest("[data-attach]")?.dataset.attach;
      if (!kind) return;
      close();
      if (kind === "upload") photoInput.click();
      if (kind === "contact") await this.act(() => api.shareContact(this.actor.id, this.chat.id));
      if (kind === "edit") await this.editLast();
      if (kind === "sample") {
        const response = await fetch("/static/sample-photo.png");
        await this.sendPhoto(await response.blob());
      }
    });
    photoInput.addEventListener("change", async () => {
      const file = photoInput.files?.[0];
      photoInput.value = "";
      if (file) await this.sendPhoto(file);
    });
    document.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    document.addEventListener("click", (event) => {
      if (!event.target.closest(".popup, #commands-button, #attach-button")) close();
    });
  }
}
