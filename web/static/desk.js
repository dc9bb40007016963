// The desk's progressive enhancements. Every page works without them.
"use strict";

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// Live progress of an essay's claims: poll while the workers are on it (and, less
// often, while reviewers have claims: a verdict may come), and apply each claim's
// status, sources found and rating to its row in place. The page is never reloaded,
// and no form is touched: what an editor is typing stays. A held essay (waiting for
// an editor's confirmation) or a settled one changes by itself no more: no polling.
const POLL_MS = { fast: 1500, slow: 15000 };

function watchProgress(bar) {
  const url = bar.dataset.progressUrl;
  if (!url || !POLL_MS[bar.dataset.poll]) return;
  const tick = async () => {
    let next = bar.dataset.poll;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const progress = await response.json();
        await applyProgress(bar, progress);
        next = progress.poll;
      }
    } catch (error) {
      // A dropped poll is harmless: the next one catches up.
    }
    if (POLL_MS[next]) setTimeout(tick, POLL_MS[next]);
  };
  setTimeout(tick, POLL_MS[bar.dataset.poll]);
}

async function applyProgress(bar, progress) {
  for (const segment of bar.querySelectorAll("[data-status]")) {
    const n = progress.counts[segment.dataset.status] ?? 0;
    segment.style.flexGrow = n;
    segment.title = `${segment.dataset.label}: ${n}`;
  }
  for (const cell of document.querySelectorAll("[data-count]")) {
    cell.textContent = progress.counts[cell.dataset.count] ?? 0;
  }
  const badge = document.querySelector("[data-essay-status]");
  if (badge) {
    badge.textContent = progress.status_label;
    badge.className = `badge ${progress.status_class}`;
  }
  document.querySelector("[data-working-note]")?.toggleAttribute("hidden", !progress.working);
  // Claims the page has not drawn yet (the splitter's, at first): fetch them once.
  // A filtered triage view leaves claims out on purpose: it adds none.
  const filtered = document.getElementById("claim-rows")?.dataset.filtered === "true";
  if (!filtered && progress.claims.some((line) => !document.getElementById(`claim-${line.id}`))) {
    await addNewRows();
  }
  for (const line of progress.claims) updateRow(line);
}

function updateRow(line) {
  const row = document.getElementById(`claim-${line.id}`);
  if (!row) return;
  const statusClasses = (element) => [...element.classList].filter(
    (name) => name.startsWith("status-") || name.startsWith("tone-"));
  const restyle = (element) => {
    element.classList.remove(...statusClasses(element));
    element.classList.add(...line.css_class.split(" "));
  };
  restyle(row);
  const badge = row.querySelector("[data-claim-status]");
  if (badge) { badge.textContent = line.label; restyle(badge); }
  const mark = document.getElementById(`text-claim-${line.id}`);
  if (mark) { restyle(mark); mark.title = mark.title.replace(/ · .*$/, ` · ${line.label}`); }
  const found = row.querySelector("[data-sources]");
  if (found) found.textContent = `${line.sources} ${line.sources === 1 ? "source" : "sources"} found`;
  const rated = row.querySelector("[data-rating]");
  if (rated) {
    rated.hidden = !line.rating;
    rated.className = `rated rating-${line.rating ?? "none"}`;
    rated.querySelector("strong").textContent = line.rating_label ?? "";
  }
}

// New claims come from the page itself, drawn by the server: each missing row goes in
// after the row before it, and the essay's text gets its new marks. Rows already on
// the page (and any form open in them) are left as they are.
async function addNewRows() {
  const response = await fetch(window.location.pathname + window.location.search, {
    headers: { Accept: "text/html" },
  });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const list = document.getElementById("claim-rows");
  if (!list) return;
  let previous = null;
  for (const row of fresh.querySelectorAll("#claim-rows > li[id]")) {
    const here = document.getElementById(row.id);
    if (!here) {
      const adopted = document.adoptNode(row);
      if (previous) previous.after(adopted); else list.prepend(adopted);
      previous = adopted;
    } else {
      previous = here;
    }
  }
  const text = document.getElementById("essay-text");
  const freshText = fresh.getElementById("essay-text");
  if (text && freshText) text.replaceChildren(...[...freshText.childNodes].map((n) => document.adoptNode(n)));
}

// Back from an action, the page opens at the row it acted on (its anchor): focus
// it, and show the action's message there, where the editor is looking.
function landOnRow() {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const target = id ? document.getElementById(id) : null;
  if (!target || document.querySelector('[aria-invalid="true"]')) return;
  const message = document.querySelector("main > .flash.info");
  if (message && target.matches(".claim-row")) target.prepend(message);
  if (!target.matches("a, button, input, select, textarea, summary")) target.tabIndex = -1;
  target.classList.add("landed");
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
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

// Quoting a source. Any selection inside a source's text fills that source's quote
// field and ticks it: selectionchange, unlike mouseup, comes from touch and keyboard
// selections too. The quote is the range's own text, a verbatim passage, as the
// server requires; the quote buttons hold no text (their word is CSS), so none of
// theirs gets in.
function watchQuotes(snapshots) {
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return;
    const snapshot = snapshotOf(selection.anchorNode);
    if (!snapshot || snapshotOf(selection.focusNode) !== snapshot) return;
    const quote = selection.getRangeAt(0).toString().trim();
    const field = document.getElementById(`quote-${snapshot.dataset.source}`);
    const tick = document.getElementById(`cite-${snapshot.dataset.source}`);
    if (!field || !quote) return;
    if (field.value !== quote) {
      field.value = quote;
      // As typing would: the form's other scripts (saving a draft) hear of the change.
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (tick && !tick.checked) {
      tick.checked = true;
      tick.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  const status = document.getElementById("quote-status");
  for (const snapshot of snapshots) {
    if (!document.getElementById(`quote-${snapshot.dataset.source}`)) continue;
    for (const button of snapshot.querySelectorAll("[data-quote]")) button.hidden = false;
    // A quote button selects its sentence: the selection fills the field, and the
    // reader sees what was quoted (and may adjust it with Shift and the arrows).
    snapshot.addEventListener("click", (event) => {
      const button = event.target.closest("[data-quote]");
      if (!button) return;
      const sentence = button.previousElementSibling;
      document.getSelection().selectAllChildren(sentence);
      if (status) status.textContent = `Quoted: ${sentence.textContent.trim()}`;
    });
    snapshot.addEventListener("keydown", (event) => extendByKeyboard(event, snapshot));
  }
}

function snapshotOf(node) {
  const element = node?.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  return element?.closest?.("[data-source]") ?? null;
}

// Shift and an arrow (with Ctrl or Alt: a word; Home and End: the line) extend the
// selection in a source's text, as in a text field. Browsers do this by themselves
// only in editable text or in caret browsing, and a source's text must stay
// read-only. With no selection in the text yet, it starts at the sentence of the
// focused quote button, or else at the first sentence in view.
const EXTENDS = {
  ArrowLeft: ["backward", "character"], ArrowRight: ["forward", "character"],
  ArrowUp: ["backward", "line"], ArrowDown: ["forward", "line"],
  Home: ["backward", "lineboundary"], End: ["forward", "lineboundary"],
};

function extendByKeyboard(event, snapshot) {
  const step = EXTENDS[event.key];
  if (!event.shiftKey || !step || event.metaKey) return;
  event.preventDefault();
  const selection = document.getSelection();
  if (snapshotOf(selection.anchorNode) !== snapshot || snapshotOf(selection.focusNode) !== snapshot) {
    const start = startOfSelection(event.target, snapshot);
    if (!start) return;
    selection.collapse(start.firstChild, 0);
  }
  const before = [selection.anchorNode, selection.anchorOffset, selection.focusNode, selection.focusOffset];
  const word = (event.ctrlKey || event.altKey) && step[1] === "character";
  selection.modify("extend", step[0], word ? "word" : step[1]);
  // Never past the source's text: the quote must come from this source alone.
  if (snapshotOf(selection.focusNode) !== snapshot) selection.setBaseAndExtent(...before);
  selection.focusNode.parentElement?.scrollIntoView({ block: "nearest" });
}

function startOfSelection(target, snapshot) {
  const sentence = target.closest("[data-quote]")?.previousElementSibling;
  if (sentence) return sentence;
  const top = snapshot.getBoundingClientRect().top;
  const sentences = [...snapshot.querySelectorAll(".sentence")];
  return sentences.find((s) => s.getBoundingClientRect().bottom > top) ?? sentences[0];
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
  const snapshots = document.querySelectorAll("[data-source]");
  if (snapshots.length) watchQuotes(snapshots);
  const workspace = document.querySelector("[data-heartbeat-url]");
  if (workspace) keepLease(workspace);
  const verdict = document.querySelector("[data-autosave-url]");
  if (verdict) autosave(verdict);
  showFirstError();
  landOnRow();
});
