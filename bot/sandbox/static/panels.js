// The panels around the conversation: the sandbox clock, the guided tour, toasts and alerts.
import { api } from "./api.js";
import { el } from "./render.js";

const $ = (id) => document.getElementById(id);

// --- clock -------------------------------------------------------------------------------
export class ClockPanel {
  constructor(clockface, onMoved) {
    this.clockface = clockface;
    this.onMoved = onMoved;
    this.skewMs = 0; // sandbox time minus this browser's time
    this.face = $("clock-now");
    this.status = $("clock-status");
    for (const button of document.querySelectorAll("[data-jump]")) {
      button.addEventListener("click", () => this.jump(button.dataset.jump));
    }
    setInterval(() => this.render(), 1000);
  }

  set(state) {
    this.skewMs = state.timestamp * 1000 - Date.now();
    this.render();
  }

  nowSeconds() { return (Date.now() + this.skewMs) / 1000; }

  render() {
    const now = new Date(Date.now() + this.skewMs);
    this.face.textContent = this.clockface.full.format(now);
    this.face.dateTime = now.toISOString();
    this.face.title = `Office time (${this.clockface.timeZone})`;
  }

  async jump(kind) {
    const buttons = document.querySelectorAll("[data-jump]");
    buttons.forEach((b) => { b.disabled = true; });
    this.status.textContent = "Moving the clock…";
    try {
      const state = await api.moveClock(kind);
      this.set(state);
      const hours = Math.round(state.step_seconds / 360) / 10;
      this.status.textContent = `Moved ${hours} h` +
        (state.timers_ran ? " · follow-ups checked" : " · no scheduler");
      this.onMoved(state);
    } catch (error) {
      this.status.textContent = `Could not move the clock: ${error.message}`;
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
      setTimeout(() => { this.status.textContent = ""; }, 6000);
    }
  }
}

// --- tour --------------------------------------------------------------------------------
export function renderTour(steps, onShow) {
  const list = $("tour-steps");
  list.replaceChildren(...steps.map((step, index) => el("li", { "data-step": index },
    el("h3", {}, step.title),
    el("p", {}, step.detail),
    el("button", {
      type: "button",
      onclick: () => {
        list.querySelectorAll("li").forEach((li) => li.classList.toggle("active", li.dataset.step === String(index)));
        onShow(step);
      },
    }, "Show me"))));
}

export function renderNotes(notes, framework) {
  $("notes").replaceChildren(
    el("p", {}, `Bot framework: ${framework}. State: kept only with --data DIR.`),
    ...notes.map((note) => el("p", {}, note)));
}

export function setupTourToggle(layout) {
  const toggle = $("tour-toggle");
  const wide = () => window.matchMedia("(min-width: 1181px)").matches;
  const apply = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    layout.classList.toggle("tour-closed", !open);
    layout.classList.toggle("tour-open", open);
  };
  // The tour starts open where there is room for it, closed over a narrow chat.
  apply(wide());
  toggle.addEventListener("click", () => apply(toggle.getAttribute("aria-expanded") !== "true"));
  $("tour-close").addEventListener("click", () => { apply(false); toggle.focus(); });
  return { close: () => { if (!wide()) apply(false); } };
}

// --- toasts and alerts ------------------------------------------------------------------
let toastTimer = 0;

export function showToast(text) {
  const toast = $("toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 3500);
}

export function hideToast() {
  clearTimeout(toastTimer);
  $("toast").hidden = true;
}

export function showAlert(text) {
  const dialog = $("alert-dialog");
  $("alert-text").textContent = text;
  if (typeof dialog.showModal === "function") dialog.showModal();
  else showToast(text);
}
