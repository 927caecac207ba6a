// The flow studio page. Plain JavaScript, no build step. Every text from a flow or from the
// chat is put in the page with textContent (never innerHTML), so it shows as text.
"use strict";

const $ = (id) => document.getElementById(id);
let state = null;
let diagramText = null;
window.studioTimings = [];  // click-to-reply times in ms, read by the browser test

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

async function post(name, body) {
  const started = performance.now();
  const response = await fetch("/api/" + name, {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body || {}),
  });
  const next = await response.json();
  show(next);
  window.studioTimings.push({action: name, ms: performance.now() - started});
  return next;
}

// -- inline formatting: Slack mrkdwn and Discord Markdown, as DOM nodes -------------------------

function unescapeSlack(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

// Parse *bold*, _italic_, links and line breaks into nodes; anything else stays text.
function formatted(text, dialect) {
  const out = document.createDocumentFragment();
  const pattern = dialect === "slack"
    ? /<(https?:\/\/[^|>]+)\|([^>]+)>|<(https?:\/\/[^>]+)>|\*([^*\n]+)\*|_([^_\n]+)_/g
    : /\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)|\*\*([^*]+)\*\*|\*([^*\n]+)\*|_([^_\n]+)_/g;
  const plain = (s) => dialect === "slack" ? unescapeSlack(s) : s.replace(/\\(.)/g, "$1");
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    out.append(...lines(plain(text.slice(last, m.index))));
    if (dialect === "slack") {
      if (m[1]) out.append(link(m[1], plain(m[2])));
      else if (m[3]) out.append(link(m[3], m[3]));
      else if (m[4]) out.append(el("b", null, ...lines(plain(m[4]))));
      else out.append(el("i", null, ...lines(plain(m[5]))));
    } else {
      if (m[1]) out.append(link(m[2], plain(m[1])));
      else if (m[3]) out.append(el("b", null, ...lines(plain(m[3]))));
      else out.append(el("i", null, ...lines(plain(m[4] || m[5]))));
    }
    last = m.index + m[0].length;
  }
  out.append(...lines(plain(text.slice(last))));
  return out;
}

function lines(text) {
  const nodes = [];
  text.split("\n").forEach((line, i) => {
    if (i) nodes.push(el("br"));
    if (line) nodes.push(document.createTextNode(line));
  });
  return nodes;
}

function link(href, label) {
  // Links are shown, not followed: nothing leaves the machine from the studio.
  return el("span", {class: "link", title: href}, label);
}

// -- buttons ------------------------------------------------------------------------------------

function studioButton(label, what, modal, className) {
  return el("button", {
    type: "button",
    class: className,
    onclick: () => {
      if (!what) return;
      if (what.form) openModal(modal);
      else if (what.press !== undefined) post("press", {id: what.press});
      else if (what.say !== undefined) post("say", {text: what.say});
    },
  }, label);
}

// -- Slack ---------------------------------------------------------------------------------------

function slackMessage(message) {
  const body = el("div", {class: "body"});
  for (const block of message.blocks) body.append(slackBlock(block, message.modal));
  return el("div", {class: "msg"}, el("div", {class: "who"}, "Recruiter Coach ", el("span", {class: "app"}, "APP")), body);
}

function slackBlock(block, modal) {
  if (block.type === "section" && block.text) return el("div", {class: "section"}, formatted(block.text.text, "slack"));
  if (block.type === "section" && block.fields) {
    return el("div", {class: "fields"}, ...block.fields.map((f) => el("div", null, formatted(f.text, "slack"))));
  }
  if (block.type === "header") return el("div", {class: "header"}, block.text.text);
  if (block.type === "context") return el("div", {class: "context"}, ...block.elements.map((e) => formatted(e.text, "slack")));
  if (block.type === "actions") {
    return el("div", {class: "actions"}, ...block.elements.map((b) =>
      studioButton(b.text.text, b.studio, modal, "sbtn " + (b.style || ""))));
  }
  return el("div", {class: "context"}, "[" + block.type + " block]");
}

function slackModal(view) {
  const fields = [];
  const body = el("div", {class: "modal-body"});
  for (const block of view.blocks) {
    if (block.type !== "input") { body.append(slackBlock(block, null)); continue; }
    const input = slackInput(block.element, block.block_id);
    fields.push(input);
    body.append(el("label", {class: "field"},
      el("span", {class: "label"}, block.label.text + (block.optional ? " (optional)" : "")), input.node));
  }
  return {title: view.title.text, submit: view.submit.text, close: view.close.text, body, fields};
}

function slackInput(element, name) {
  const placeholder = element.placeholder ? element.placeholder.text : "";
  if (element.type === "radio_buttons") {
    const box = el("div", {class: "radios"});
    for (const option of element.options) {
      const radio = el("input", {type: "radio", name: "f_" + name, value: option.value});
      if (element.initial_option && element.initial_option.value === option.value) radio.checked = true;
      box.append(el("label", null, radio, " " + option.text.text));
    }
    return {name, node: box, value: () => {
      const picked = box.querySelector("input:checked");
      return picked ? picked.value : "";
    }};
  }
  if (element.type === "static_select") {
    const select = el("select", {"data-field": name}, el("option", {value: ""}, placeholder || "Choose"));
    for (const option of element.options) select.append(el("option", {value: option.value}, option.text.text));
    if (element.initial_option) select.value = element.initial_option.value;
    return {name, node: select, value: () => select.value};
  }
  if (element.type === "datetimepicker") {
    const input = el("input", {type: "datetime-local", "data-field": name});
    return {name, node: input, value: () => input.value.replace("T", " ")};
  }
  const multiline = element.type === "plain_text_input" && element.multiline;
  const input = el(multiline ? "textarea" : "input", {"data-field": name, placeholder});
  if (element.initial_value) input.value = element.initial_value;
  return {name, node: input, value: () => input.value};
}

// -- Discord -------------------------------------------------------------------------------------

function discordMessage(message) {
  const body = el("div", {class: "body"});
  if (message.content && message.content !== "\u200b") body.append(el("div", {class: "content"}, formatted(message.content, "discord")));
  for (const embed of message.embeds) {
    const box = el("div", {class: "embed"});
    if (embed.title) box.append(el("div", {class: "title"}, formatted(embed.title, "discord")));
    if (embed.description) box.append(el("div", null, formatted(embed.description, "discord")));
    for (const f of embed.fields || []) {
      box.append(el("div", {class: "efield"}, el("b", null, formatted(f.name, "discord")), el("div", null, formatted(f.value, "discord"))));
    }
    body.append(box);
  }
  if (message.buttons.length) {
    body.append(el("div", {class: "actions"}, ...message.buttons.map((b) =>
      studioButton(b.label, b.studio, message.modal, "dbtn " + b.style))));
  }
  return el("div", {class: "msg"}, el("div", {class: "who"}, "Recruiter Coach ", el("span", {class: "app"}, "BOT")), body);
}

function discordModal(modal) {
  const body = el("div", {class: "modal-body"});
  const fields = modal.fields.map((f) => {
    const input = el(f.paragraph ? "textarea" : "input", {"data-field": f.name, placeholder: f.placeholder});
    input.value = f.value;
    body.append(el("label", {class: "field"}, el("span", {class: "label"}, f.label + (f.required ? " *" : "")),
      f.description ? el("span", {class: "error"}, f.description) : null, input));
    return {name: f.name, value: () => input.value};
  });
  return {title: modal.title, submit: modal.submit, close: "Cancel", body, fields};
}

// -- the modal overlay ---------------------------------------------------------------------------

function openModal(modal) {
  if (!modal) return;
  const shown = state.platform === "slack" ? slackModal(modal) : discordModal(modal);
  const overlay = $("overlay");
  const close = () => { overlay.hidden = true; overlay.replaceChildren(); };
  const submit = el("button", {type: "submit", class: "primary"}, shown.submit);
  const form = el("form", {class: "modal " + state.platform, role: "dialog"},
    el("div", {class: "modal-title"}, shown.title), shown.body,
    el("div", {class: "modal-buttons"}, el("button", {type: "button", onclick: close}, shown.close), submit));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = {};
    for (const f of shown.fields) values[f.name] = f.value();
    close();
    post("form", {values});
  });
  overlay.replaceChildren(form);
  overlay.hidden = false;
  const first = form.querySelector("input, textarea, select");
  if (first) first.focus();
}

// -- the page ------------------------------------------------------------------------------------

function show(next) {
  state = next;
  for (const button of document.querySelectorAll("#platforms button")) {
    button.classList.toggle("on", button.dataset.platform === state.platform);
  }
  if (document.activeElement !== $("now")) $("now").value = state.now;
  if (document.activeElement !== $("tz")) $("tz").value = state.time_zone;
  showChat();
  showProblems();
  showWhere();
  showDiagram();
  if (state.saved) showSaved(state.saved);
  if (state.tests) showTests(state.tests);
  if (state.error) $("chat").append(el("div", {class: "note error"}, state.error));
}

function showChat() {
  const chat = $("chat");
  chat.className = state.platform;
  chat.replaceChildren(...state.chat.map((entry) => {
    if (entry.who === "author") return el("div", {class: "author"}, el("span", null, entry.text));
    if (entry.who === "note") return el("div", {class: "note"}, entry.text);
    return el("div", {class: "coach"}, ...entry.messages.map((m) =>
      state.platform === "slack" ? slackMessage(m)
        : state.platform === "discord" ? discordMessage(m)
          : el("pre", {class: "msg"}, m.text)));
  }));
  chat.scrollTop = chat.scrollHeight;
}

function showProblems() {
  const box = $("problems");
  box.replaceChildren(el("div", {class: "summary"}, state.summary));
  for (const p of state.problems) {
    const where = p.path + (p.line ? ":" + p.line : "") + (p.key ? " [" + p.key + "]" : "");
    box.append(el("div", {class: "problem " + p.severity},
      el("div", null, el("b", null, where), " " + p.severity + ": " + p.message),
      p.fix ? el("div", {class: "fix"}, "fix: " + p.fix) : null));
  }
}

function showWhere() {
  const select = $("flow");
  const chosen = state.diagram.flow;
  if (select.options.length !== state.flows.length) {
    select.replaceChildren(...state.flows.map((f) => el("option", {value: f}, f)));
  }
  select.value = chosen || "";
  $("at").textContent = state.at.flow ? "at " + state.at.flow + "." + state.at.step : "(no step: the conversation has ended or not begun)";
  $("slots").replaceChildren(...Object.entries(state.slots).map(([name, value]) =>
    el("tr", null, el("th", null, name), el("td", null, JSON.stringify(value)))));
}

async function showDiagram() {
  if (state.diagram.text === diagramText) return;
  diagramText = state.diagram.text;
  const box = $("diagram");
  if (!diagramText) { box.replaceChildren(); return; }
  try {
    const {svg, bindFunctions} = await mermaid.render("flowsvg" + Date.now(), diagramText);
    // Mermaid's output is sanitised by Mermaid itself (securityLevel "strict").
    box.innerHTML = svg;
    if (bindFunctions) bindFunctions(box);
    for (const step of state.diagram.steps) {
      const node = box.querySelector('g.node[id*="-s_' + CSS.escape(step) + '-"]');
      if (!node) continue;
      node.classList.add("clickable");
      node.setAttribute("data-step", step);
      node.addEventListener("click", () => startAt(step));
    }
    const here = box.querySelector("g.node.studioHere");
    if (here) {  // scroll the diagram box only, so the rest of the side stays where it is
      const a = here.getBoundingClientRect(), b = box.getBoundingClientRect();
      box.scrollTop += a.top - b.top - box.clientHeight / 2 + a.height / 2;
      box.scrollLeft += a.left - b.left - box.clientWidth / 2 + a.width / 2;
    }
  } catch (error) {
    box.replaceChildren(el("pre", {class: "error"}, "The diagram could not be drawn: " + error));
  }
}

function startAt(step) {
  let slots;
  try { slots = JSON.parse($("preset").value || "{}"); } catch (error) {
    $("chat").append(el("div", {class: "note error"}, "The slots are not JSON: " + error.message));
    return;
  }
  post("restart", {flow: state.diagram.flow, step, slots});
}

function showSaved(saved) {
  const text = "Saved " + saved.path + " and ran it: " + saved.result +
    (saved.note ? " (" + saved.note + ")" : "");
  $("save-result").replaceChildren(el("span", null, text), ...saved.failures.map((f) => el("pre", {class: "error"}, f)));
}

function showTests(tests) {
  $("coverage").replaceChildren(el("div", {class: "summary"}, tests.result),
    ...tests.failures.map((f) => el("pre", {class: "error"}, f)),
    ...tests.coverage.map((line) => el("div", {class: "cov"}, line)));
}

function wire() {
  for (const button of document.querySelectorAll("#platforms button")) {
    button.addEventListener("click", () => post("settings", {platform: button.dataset.platform}));
  }
  $("compose").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("message").value;
    if (!text.trim()) return;
    $("message").value = "";
    post("say", {text});
  });
  $("apply-clock").addEventListener("click", () => post("settings", {now: $("now").value, time_zone: $("tz").value}));
  $("jump").addEventListener("click", () => post("jump"));
  $("restart").addEventListener("click", () => post("restart", {flow: state.start.flow}));
  $("flow").addEventListener("change", async () => {
    await post("restart", {flow: $("flow").value});
    post("say", {text: "start"});  // as the person would: the chosen flow begins at once
  });
  $("save").addEventListener("click", () => post("save", {name: $("test-name").value}));
  $("run-tests").addEventListener("click", () => post("tests"));
}

// Live reload: the server reloads the files it watches; the page asks for the state while
// nothing is happening, and redraws when the revision moved on.
async function poll() {
  try {
    const response = await fetch("/api/state");
    const next = await response.json();
    // the server re-runs the tests when a test file changes: next.tests is that run (or null)
    if (state && next.revision !== state.revision) show(Object.assign(next, {saved: null}));
  } catch (error) { /* the studio was stopped; keep the page as it is */ }
  setTimeout(poll, 500);
}

mermaid.initialize({startOnLoad: false, securityLevel: "strict", theme: "neutral", flowchart: {useMaxWidth: true}});
wire();
fetch("/api/state").then((r) => r.json()).then((first) => { show(first); setTimeout(poll, 500); });
