// Turning emulator messages into Telegram-like bubbles. Pure DOM building: no state here.
import { fileUrl } from "./api.js";

// Telegram's palette for names and avatars, picked by user id so colours stay put.
const COLOURS = ["#e17076", "#faa774", "#a695e7", "#7bc862", "#6ec9cb", "#65aadd", "#ee7aae"];

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

export function colourOf(id) {
  return COLOURS[Math.abs(Number(id)) % COLOURS.length];
}

export function avatar(name, id, { small = false, emoji = "" } = {}) {
  const classes = ["avatar", small ? "small" : "", emoji ? "emoji" : ""].join(" ");
  const node = el("span", { class: classes, "aria-hidden": "true" }, emoji || initial(name));
  node.style.background = emoji
    ? "linear-gradient(135deg, #7cc4ff, #3390ec)"
    : `linear-gradient(135deg, ${colourOf(id)}cc, ${colourOf(id)})`;
  return node;
}

function initial(name) {
  const words = String(name || "?").trim().split(/\s+/);
  if (/^[A-Za-z]/.test(words[0]) && words.length > 1) return (words[0][0] + words[1][0]).toUpperCase();
  return Array.from(words[0])[0] || "?";
}

// --- time ------------------------------------------------------------------------------
export class Clockface {
  constructor(timeZone) {
    this.timeZone = timeZone;
    this.time = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" });
    this.day = new Intl.DateTimeFormat("en-GB", { timeZone, day: "numeric", month: "long" });
    this.key = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    this.full = new Intl.DateTimeFormat("en-GB", {
      timeZone, weekday: "short", day: "numeric", month: "short",
      hour: "2-digit", minute: "2-digit",
    });
  }

  hhmm(seconds) { return this.time.format(new Date(seconds * 1000)); }
  dayKey(seconds) { return this.key.format(new Date(seconds * 1000)); }

  dayLabel(seconds, nowSeconds) {
    const key = this.dayKey(seconds);
    if (key === this.dayKey(nowSeconds)) return "Today";
    if (key === this.dayKey(nowSeconds - 86400)) return "Yesterday";
    return this.day.format(new Date(seconds * 1000));
  }

  // The list shows a time for today's messages and a date for older ones.
  listStamp(seconds, nowSeconds) {
    return this.dayKey(seconds) === this.dayKey(nowSeconds)
      ? this.hhmm(seconds) : this.day.format(new Date(seconds * 1000));
  }
}

// --- message content -------------------------------------------------------------------
export function summary(message) {
  if (!message) return "";
  const text = message.text ?? message.caption ?? "";
  if (message.photo) return text ? `🖼️ ${text}` : "🖼️ Photo";
  if (message.contact) return `📱 ${message.contact.phone_number}`;
  if (message.location) return "📍 Location";
  if (message.document) return `📄 ${message.document.file_name || "File"}`;
  return text.split("\n")[0];
}

function content(message, senderName) {
  const parts = [];
  if (message.photo && message.photo.length) {
    const largest = message.photo[message.photo.length - 1];
    parts.push(el("img", {
      class: "photo", src: fileUrl(largest.file_id), loading: "lazy",
      alt: message.caption ? `Photo: ${message.caption}` : `Photo from ${senderName}`,
      width: largest.width || undefined, height: largest.height || undefined,
    }));
  }
  if (message.contact) {
    const c = message.contact;
    parts.push(el("span", { class: "attachment" }, el("span", { class: "icon", "aria-hidden": "true" }, "📱"),
      el("span", {}, el("strong", {}, [c.first_name, c.last_name].filter(Boolean).join(" ")),
        el("br"), c.phone_number)));
  }
  if (message.location) {
    const { latitude, longitude } = message.location;
    parts.push(`📍 ${latitude.toFixed(5)}, ${longitude.toFixed(5)}`);
  }
  if (message.document) parts.push(`📄 ${message.document.file_name || "File"}`);
  const text = message.text ?? message.caption;
  if (text) parts.push(el("span", { class: "text" }, text));
  return parts;
}

function keyboard(message, onPress) {
  const rows = message.reply_markup?.inline_keyboard;
  if (!rows || !rows.length) return null;
  return el("div", { class: "inline-keyboard", role: "group", "aria-label": "Buttons" },
    rows.map((row) => el("div", { class: "inline-row" }, row.map((button) => {
      if (button.url) {
        return el("a", { href: button.url, target: "_blank", rel: "noopener" }, button.text);
      }
      return el("button", {
        type: "button", "data-callback": button.callback_data,
        onclick: (event) => onPress(message, button, event.currentTarget),
      }, button.text);
    }))));
}

// One message as a list item. ctx: {outgoing, showSender, senderName, senderId, clock,
// continued, onPress, isBot}
export function messageItem(message, ctx) {
  const { outgoing, showSender, senderName, senderId, clock } = ctx;
  const edited = message.edit_date ? el("span", { class: "edited", title: `${message.edits?.length || 1} earlier version(s)` }, "edited") : null;
  const meta = el("span", { class: "meta" }, edited, el("time", {}, clock.hhmm(message.date)));
  const isPhotoOnly = message.photo && !(message.caption);
  const visibleSender = showSender && !outgoing;
  const bubble = el("div", { class: `bubble${isPhotoOnly ? " photo-only" : ""}` },
    visibleSender
      ? el("span", { class: "sender", style: `color:${colourOf(senderId)}` }, senderName)
      : el("span", { class: "visually-hidden" }, `${outgoing ? "You" : senderName}: `),
    content(message, senderName),
    meta);
  const body = el("div", { class: "msg-body" }, bubble, keyboard(message, ctx.onPress));
  const classes = ["msg", outgoing ? "out" : "in", ctx.continued ? "continued" : ""].join(" ");
  return el("li", { class: classes, "data-id": message.message_id },
    showSender && !outgoing ? avatar(senderName, senderId, { small: true, emoji: ctx.isBot ? "🤖" : "" }) : null,
    body);
}

export function dayItem(label) {
  return el("li", { class: "day", role: "separator" }, label);
}
