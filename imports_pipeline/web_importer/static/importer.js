// The web importer's steps: connect, template, upload, columns, values, review, import.
// Each step is a function that renders into <main> and moves on by calling another.
import { Api, ApiError } from "./api.js";
import { chosenLanguage, currentLanguage, setLanguage, t } from "./i18n.js";
import { ReviewTable } from "./review-table.js";

const STEPS = ["connect", "template", "upload", "map", "values", "review", "done"];
const LOCALES = ["es_ES", "en_US", "en_GB", "de_DE", "fr_FR", "pt_PT", "it_IT"];
const FINISHED = ["completed", "partially_completed", "failed", "rolled_back"];
const main = document.getElementById("step");
const state = { step: "connect" };

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return element;
}

function show(step, ...content) {
  state.step = step;
  const list = document.getElementById("steps");
  const shown = state.api?.token ? STEPS.filter((name) => name !== "connect") : STEPS;
  list.replaceChildren(...shown.map((name) => h("li", {
    "aria-current": name === step ? "step" : null,
    class: STEPS.indexOf(name) < STEPS.indexOf(step) ? "done" : "",
  }, t(`step_${name}`))));
  main.replaceChildren(...content);
  main.focus();
}

function say(text, kind = "error") {
  const box = document.getElementById("message");
  box.hidden = !text;
  box.className = kind;
  box.textContent = text || "";
}

/** Run a step's server call; a refusal is shown in words and the step stays. */
async function attempt(action) {
  say("");
  try {
    return await action();
  } catch (error) {
    say(error instanceof ApiError ? t("error_prefix", { detail: error.message }) : String(error));
    return undefined;
  }
}

function field(label, control, className = "field") {
  return h("label", { class: className }, h("span", {}, label), control);
}

// --- connect ---------------------------------------------------------------------------------
function connectStep() {
  const key = h("input", { type: "password", autocomplete: "off", required: true, id: "api-key" });
  const org = h("input", { type: "text", required: true, id: "organization" });
  const form = h("form", { onsubmit: async (event) => {
    event.preventDefault();
    state.api = new Api({ apiKey: key.value.trim(), organizationId: org.value.trim() });
    if (await attempt(() => state.api.templates())) {
      sessionStorage.setItem("imports.key", JSON.stringify({ apiKey: state.api.apiKey, organizationId: state.api.organizationId }));
      templateStep();
    }
  } }, h("p", {}, t("connect_help")), field(t("api_key"), key), field(t("organization"), org),
  h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, t("connect"))));
  show("connect", h("h2", {}, t("step_connect")), form);
}

// --- template --------------------------------------------------------------------------------
async function templateStep() {
  const templates = await attempt(() => state.api.templates());
  if (!templates) return;
  state.templates = templates;
  if (templates.length === 1) return uploadStep(templates[0]);
  const select = h("select", { id: "template" }, templates.map((template) => h("option", { value: template.id }, template.name)));
  show("template", h("h2", {}, t("choose_template")), field(t("template"), select),
    h("div", { class: "actions" }, h("button", { class: "primary", onclick: () => uploadStep(templates.find((x) => x.id === select.value)) }, t("next"))));
}

// --- upload ----------------------------------------------------------------------------------
function uploadStep(template, retry = null) {
  state.template = template;
  const input = h("input", { type: "file", id: "file", accept: ".csv,.tsv,.txt,.xlsx,.xlsm,.xls,.ods", class: "sr-only", onchange: () => input.files[0] && upload(input.files[0]) });
  const locale = h("select", { id: "numeric-locale" }, h("option", { value: "" }, t("locale_auto")), LOCALES.map((code) => h("option", { value: code }, code)));
  const zone = h("div", { class: "drop", id: "drop-zone" }, h("p", {}, t("drop_here")),
    h("button", { type: "button", onclick: () => input.click() }, t("choose_file")), input);
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files[0]) upload(event.dataTransfer.files[0]);
  });
  const upload = async (file, sheet = null, headerRow = null) => {
    say(t("uploading", { name: file.name }), "info");
    const created = await attempt(() => state.api.createSession(template.id, file, { numericLocale: locale.value, selectedSheet: sheet, headerRow }));
    if (created) parsedStep(file, created);
  };
  state.reupload = upload;
  show("upload", h("h2", {}, template.name), template.description ? h("p", {}, template.description) : null,
    field(t("numeric_locale"), locale), zone,
    state.templates?.length > 1 ? h("div", { class: "actions" }, h("button", { onclick: templateStep }, t("back"))) : null);
  if (retry) upload(...retry);
}

function parsedStep(file, created) {
  say("");
  file = file || state.file; // back from the columns step: the same file
  state.file = file;
  state.session = created;
  const sheets = created.sheets.length > 1
    ? field(t("sheet"), h("select", { id: "sheet", onchange: (event) => state.reupload(file, event.target.value) },
        created.sheets.map((name) => h("option", { value: name, selected: name === created.selected_sheet }, name))))
    : null;
  const preview = h("table", {}, h("thead", {}, h("tr", {}, created.source_columns.map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, created.sample_rows.map((row) => h("tr", {}, row.map((value) => h("td", {}, value ?? ""))))));
  // Shown 1-based, as a spreadsheet numbers its rows; the API counts from 0.
  const headerRow = h("input", { type: "number", min: "1", id: "header-row-input", value: String(created.detected_header_row + 1) });
  const reread = h("button", { id: "reread", onclick: () => file && state.reupload(file, created.selected_sheet, Number(headerRow.value) - 1) }, t("reread"));
  show("upload", h("h2", {}, t("rows_read", { rows: created.total_rows.toLocaleString(currentLanguage()), name: created.file_name })),
    sheets, h("p", { id: "header-row" }, t("header_row_detected", { row: created.detected_header_row + 1 })),
    file ? h("div", { class: "actions" }, field(t("header_row"), headerRow, "field inline"), reread) : null,
    h("h3", {}, t("columns_found")), preview,
    h("div", { class: "actions" }, h("button", { class: "primary", id: "to-mapping", onclick: mapStep }, t("next"))));
}

// --- columns ---------------------------------------------------------------------------------
async function mapStep() {
  const id = state.session.import_id;
  const suggestion = await attempt(() => state.api.suggest(id));
  if (!suggestion) return;
  const template = state.template;
  const byColumn = Object.fromEntries(suggestion.suggestions.map((item) => [item.template_column, item]));
  const rows = template.columns.map((column) => {
    const suggested = byColumn[column.key];
    const chosen = suggestion.mapping[column.key] ?? "";
    const select = h("select", { id: `map-${column.key}`, "data-column": column.key, "aria-label": column.label },
      h("option", { value: "" }, t("not_mapped")),
      state.session.source_columns.map((name) => h("option", { value: name, selected: name === chosen }, name)));
    const score = suggested?.source_column && chosen ? `${Math.round(suggested.score * 100)}%` : "";
    return h("tr", {}, h("th", { scope: "row", class: column.required ? "required" : "" }, column.label,
      column.required ? h("span", { class: "sr-only" }, " (required)") : null),
    h("td", {}, select), h("td", { class: "score" }, score));
  });
  const next = async () => {
    const mapping = {};
    for (const select of main.querySelectorAll("select[data-column]")) if (select.value) mapping[select.dataset.column] = select.value;
    const missing = template.columns.filter((column) => column.required && !mapping[column.key]).map((column) => column.label);
    if (missing.length) return say(t("required_missing", { fields: missing.join(", ") }));
    state.mapping = mapping;
    valuesStep();
  };
  show("map", h("h2", {}, t("step_map")), h("p", {}, t("map_help")),
    h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("field")), h("th", { scope: "col" }, t("your_column")), h("th", { scope: "col" }, t("score")))), h("tbody", {}, rows)),
    h("div", { class: "actions" }, h("button", { onclick: () => parsedStep(null, state.session) }, t("back")), h("button", { class: "primary", id: "to-values", onclick: next }, t("next"))));
}

// --- values ----------------------------------------------------------------------------------
async function optionsOf(column) {
  if (column.options) return column.options;
  if (!column.options_source) return [];
  const answer = await state.api.options(column.options_source);
  return answer.options;
}

async function valuesStep() {
  const id = state.session.import_id;
  const answer = await attempt(() => state.api.uniqueValues(id, state.mapping));
  if (!answer) return;
  const sections = [];
  for (const column of state.template.columns) {
    const values = answer.columns[column.key];
    if (!values?.length) continue;
    const options = await attempt(() => optionsOf(column));
    if (!options) return;
    sections.push(h("section", {}, h("h3", {}, column.label),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("raw_value")), h("th", { scope: "col" }, t("count")), h("th", { scope: "col" }, t("option")))),
        h("tbody", {}, values.map((value) => {
          // A value read as an option (a name in another language, a typo) shows that option.
          const preset = value.suggested_option && value.suggested_option !== value.raw_value ? value.suggested_option : "";
          const choice = (option) => h("option", { value: option.value, selected: option.value === preset }, `${option.label} (${option.value})`);
          const closest = options.filter((option) => value.candidates.includes(option.value));
          const select = h("select", { "data-column": column.key, "data-raw": value.raw_value, "aria-label": `${column.label}: ${value.raw_value}` },
            h("option", { value: "" }, t("keep")),
            closest.length && !preset ? h("optgroup", { label: t("closest") }, closest.map((option) => h("option", { value: option.value }, `${option.label} (${option.value})`))) : null,
            options.map(choice));
          return h("tr", {}, h("td", {}, value.raw_value), h("td", {}, String(value.count)), h("td", {}, select));
        })))));
  }
  const next = () => {
    const valueMapping = {};
    for (const select of main.querySelectorAll("select[data-raw]")) {
      if (!select.value) continue;
      (valueMapping[select.dataset.column] ??= {})[select.dataset.raw] = select.value;
    }
    state.valueMapping = valueMapping;
    reviewStep();
  };
  show("values", h("h2", {}, t("step_values")), h("p", {}, sections.length ? t("values_help") : t("no_categories")), ...sections,
    h("div", { class: "actions" }, h("button", { onclick: mapStep }, t("back")), h("button", { class: "primary", id: "to-review", onclick: next }, t("next"))));
}

// --- review and submit -----------------------------------------------------------------------
async function reviewStep() {
  const id = state.session.import_id;
  say(t("validating"), "info");
  const validated = await attempt(() => state.api.validate(id, state.mapping, state.valueMapping));
  if (!validated) return;
  say("");
  const counts = h("div", { class: "counts", "aria-live": "polite" });
  const setCounts = (result) => {
    state.errorRows = result.error_rows;
    const number = (value) => value.toLocaleString(currentLanguage());
    counts.replaceChildren(
      h("div", {}, h("strong", { id: "count-total" }, number(validated.total_rows)), t("total_rows")),
      h("div", {}, h("strong", { id: "count-valid" }, number(result.valid_rows)), t("valid_rows")),
      h("div", {}, h("strong", { id: "count-errors" }, number(result.error_rows)), t("error_rows")));
  };
  setCounts(validated);
  const columns = state.template.columns.filter((column) => state.mapping[column.key] || column.default !== null);
  const table = new ReviewTable(state.api, id, columns, { onCounts: setCounts });
  const errorsOnly = h("input", { type: "checkbox", id: "errors-only", onchange: () => attempt(() => table.reload(errorsOnly.checked)) });
  const replace = h("button", { id: "replace-all", onclick: async () => {
    const box = table.focused;
    if (!box?.classList.contains("bad")) return;
    const value = prompt(t("replace_with", { value: box.dataset.raw, column: box.dataset.column }));
    if (value === null) return;
    const changed = await attempt(() => table.replaceEverywhere(box.dataset.column, box.dataset.raw, value));
    if (changed !== undefined) say(t("replaced", { count: changed }), "info");
  } }, t("replace_all"));
  const ignore = h("input", { type: "checkbox", id: "ignore-errors" });
  const action = h("select", { id: "action" }, ["merge", "overwrite", "delete"].map((name) => h("option", { value: name }, t(`action_${name}`))));
  const submit = async () => {
    if (state.errorRows && !ignore.checked) return say(t("still_errors", { count: state.errorRows }));
    say(t("submitting"), "info");
    const submitted = await attempt(() => state.api.submit(id, { ignore_errors: ignore.checked, action: action.value }));
    if (submitted) doneStep(submitted);
  };
  show("review", h("h2", {}, t("step_review")), counts, h("p", {}, t("review_help")),
    h("div", { class: "actions" }, h("label", {}, errorsOnly, " ", t("errors_only")), replace),
    table.element,
    h("h3", {}, t("step_submit")),
    field(t("action"), action), h("label", {}, ignore, " ", t("ignore_errors")),
    h("div", { class: "actions" }, h("button", { onclick: valuesStep }, t("back")), h("button", { class: "primary", id: "submit", onclick: submit }, t("submit"))));
  await attempt(() => table.reload(false));
  window.reviewTable = table; // for people debugging in the console, and the browser test
}

// --- processing ------------------------------------------------------------------------------
async function doneStep(submitted) {
  const id = state.session.import_id;
  const heading = h("h2", {}, t("processing"));
  const phases = h("ol", { class: "phases", id: "phases" });
  const summary = h("div", { id: "summary", "aria-live": "polite" });
  const bar = h("progress", { "aria-label": t("processing") });
  show("done", heading, bar, phases, summary);
  for (;;) {
    const status = await attempt(() => state.api.status(id));
    if (!status) return;
    phases.replaceChildren(...status.phases.map((phase) => h("li", { class: phase.status }, `${phase.phase}: ${phase.status}`)));
    const processing = status.processing_status;
    if (FINISHED.includes(processing)) {
      heading.textContent = t("step_done");
      return finished(status, bar, summary);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function finished(status, bar, summary) {
  bar.max = 1;
  bar.value = 1;
  const stats = status.stats || {};
  const link = status.has_errors_file ? await attempt(() => state.api.reportLink(status.id)) : null;
  summary.replaceChildren(h("p", { id: "finished" }, t("finished", { status: status.processing_status })),
    h("div", { class: "counts" }, ["created", "updated", "unchanged", "deleted"].map((name) => h("div", {}, h("strong", { id: `stat-${name}` }, String(stats[name] ?? 0)), t(name)))),
    link ? h("p", {}, h("a", { href: link.url, id: "report", download: "" }, t("download_report"))) : null,
    h("div", { class: "actions" }, h("button", { onclick: () => uploadStep(state.template) }, t("start_again"))));
  window.parent?.postMessage({ type: "imports:finished", import_id: status.id, processing_status: status.processing_status, stats }, "*");
}

// --- start -----------------------------------------------------------------------------------
function start() {
  const language = document.getElementById("language");
  language.value = chosenLanguage();
  setLanguage(language.value);
  language.addEventListener("change", () => { setLanguage(language.value); });
  const token = new URLSearchParams(location.search).get("token");
  const stored = JSON.parse(sessionStorage.getItem("imports.key") || "null");
  if (token) state.api = new Api({ token });
  else if (stored) state.api = new Api(stored);
  if (state.api) templateStep();
  else connectStep();
}

start();
