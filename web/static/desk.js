// The desk's progressive enhancements. Every page works without them.
"use strict";

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// Live progress of an essay's claims: poll while the workers are on it.
function watchProgress(bar) {
  const url = bar.dataset.progressUrl;
  let wasWorking = bar.dataset.working === "yes";
  if (!url || !wasWorking) return;
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const progress = await response.json();
      for (const segment of bar.querySelectorAll("[data-status]")) {
        const n = progress.counts[segment.dataset.status] ?? 0;
        segment.style.flexGrow = n;
        segment.title = `${segment.dataset.label}: ${n}`;
      }
      for (const cell of document.querySelectorAll("[data-count]")) {
        cell.textContent = progress.counts[cell.dataset.count] ?? 0;
      }
      if (!progress.working) {
        // The claims list and the marks in the text changed: show them.
        window.location.reload();
        return;
      }
    } catch (error) {
      // A dropped poll is harmless: the next one catches up.
    }
    setTimeout(tick, 1500);
  };
  setTimeout(tick, 1000);
}

// Offsets in the essay's text of a selection inside #essay-text.
function essayOffset(node, offset) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const segment = element?.closest("[data-start]");
  if (!segment) return null;
  const range = document.createRange();
  range.setStart(segment, 0);
  range.setEnd(node, offset);
  return Number(segment.dataset.start) + range.toString().length;
}

function watchSelection(essay, form) {
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || !essay.contains(selection.anchorNode)) return;
    const a = essayOffset(selection.anchorNode, selection.anchorOffset);
    const b = essayOffset(selection.focusNode, selection.focusOffset);
    if (a === null || b === null) return;
    form.elements.start.value = Math.min(a, b);
    form.elements.end.value = Math.max(a, b);
    const preview = form.querySelector("#add-preview");
    if (preview) preview.textContent = `“${selection.toString().trim().slice(0, 80)}”`;
  });
}

// Selecting words in a source's text fills that source's quote and ticks it.
function watchQuotes() {
  document.addEventListener("mouseup", () => {
    const selection = document.getSelection();
    const snapshot = selection?.anchorNode?.parentElement?.closest("[data-source]");
    if (!snapshot || selection.isCollapsed) return;
    const quote = selection.toString().trim();
    const id = snapshot.dataset.source;
    const field = document.getElementById(`quote-${id}`);
    const tick = document.getElementById(`cite-${id}`);
    if (field && quote) {
      field.value = quote;
      if (tick) tick.checked = true;
    }
  });
}

// Keep the lease while the reviewer is at work on the page.
function keepLease(workspace) {
  const url = workspace.dataset.heartbeatUrl;
  let lastActive = Date.now();
  for (const name of ["keydown", "mousemove", "scroll", "focusin"]) {
    document.addEventListener(name, () => { lastActive = Date.now(); }, { passive: true });
  }
  setInterval(async () => {
    if (document.hidden || Date.now() - lastActive > 5 * 60 * 1000) return;
    const response = await fetch(url, { method: "POST", headers: { "X-CSRFToken": csrfToken() } });
    const lease = workspace.querySelector("[data-lease]");
    if (!response.ok) {
      if (lease) lease.textContent = "this task is no longer yours";
      return;
    }
    const body = await response.json();
    const until = new Date(body.lease_expires_at);
    if (lease) lease.textContent = `lease until ${until.toISOString().slice(11, 16)} UTC`;
  }, 60 * 1000);
}

// A refused form comes back with its errors (web/forms.py): go to the first one.
function showFirstError() {
  const field = document.querySelector('[aria-invalid="true"]');
  const target = field ?? document.querySelector(".flash.error");
  if (!target) return;
  if (!field) target.tabIndex = -1; // a message with no field of its own
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
}

// Save the verdict form as a draft while the reviewer types, and ask before a
// page with unsaved changes is left. The server checks the draft's version: a
// draft changed elsewhere (another tab) is never overwritten (a 409 stops saving).
const AUTOSAVE_AFTER_MS = 1500;

function autosave(form) {
  const url = form.dataset.autosaveUrl;
  const status = form.querySelector("[data-save-status]");
  const contents = () => {
    const data = new FormData(form);
    data.delete("csrf_token");
    data.delete("version");
    return new URLSearchParams(data).toString();
  };
  // What the server holds: nothing of what a refused form shows was stored.
  let saved = "unsaved" in form.dataset ? null : contents();
  let timer = null;
  let saving = false;
  let stopped = false;
  let submitting = false;
  const say = (text) => { if (status) status.textContent = text; };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(save, AUTOSAVE_AFTER_MS);
  };
  async function save() {
    if (stopped || submitting) return;
    if (saving) { schedule(); return; } // one at a time: each needs the last's version
    const sending = contents();
    if (sending === saved) return;
    saving = true;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        form.elements.version.value = body.version;
        saved = sending;
        say(`Draft saved ${body.saved_at.slice(11, 16)} UTC`);
      } else if (response.status === 409) {
        stopped = true;
        say(`Draft not saved: ${body.detail ?? "it changed elsewhere"}. Nothing was overwritten; `
          + "copy your text, then reload the page to see the stored draft.");
      } else {
        say(`Draft not saved: ${body.detail ?? response.statusText}`);
      }
    } catch (error) {
      say("Draft not saved: the desk cannot be reached. Saving again as you type.");
    } finally {
      saving = false;
    }
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // Selecting a passage fills a quote by script, which fires no input event.
  document.addEventListener("mouseup", schedule);
  form.addEventListener("submit", () => {
    submitting = true;
    clearTimeout(timer);
  });
  window.addEventListener("beforeunload", (event) => {
    if (submitting || contents() === saved) return;
    event.preventDefault();
    event.returnValue = ""; // what older browsers need to ask
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector("[data-progress-url]");
  if (bar) watchProgress(bar);
  const essay = document.getElementById("essay-text");
  const form = document.getElementById("add-claim");
  if (essay && form) watchSelection(essay, form);
  if (document.querySelector("[data-source]")) watchQuotes();
  const workspace = document.querySelector("[data-heartbeat-url]");
  if (workspace) keepLease(workspace);
  const verdict = document.querySelector("[data-autosave-url]");
  if (verdict) autosave(verdict);
  showFirstError();
});
