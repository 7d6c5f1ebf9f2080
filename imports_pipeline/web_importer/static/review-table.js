// The review table: rows come from the server a page at a time, and only the rows in view are in
// the page, so a file of a million rows costs what a screenful does. Cells that fail are outlined;
// a cell is edited in place (Enter or double-click) and saved with PATCH /rows.
import { t } from "./i18n.js";

const ROW_HEIGHT = 32; // px; matches .grid-row > div height (2rem)
const PAGE_SIZE = 100;
const KEPT_PAGES = 40;
const MAX_SCROLL_PX = 10_000_000; // browsers cap an element's height near 33M px; stay well under

export class ReviewTable {
  constructor(api, importId, columns, { onCounts }) {
    this.api = api;
    this.importId = importId;
    this.columns = columns; // [{key, label}]
    this.onCounts = onCounts;
    this.errorsOnly = false;
    this.pages = new Map();
    this.loading = new Map();
    this.total = 0;
    this.scale = 1;
    this.element = document.createElement("div");
    this.element.className = "grid";
    this.element.setAttribute("role", "grid");
    this.element.setAttribute("aria-label", t("step_review"));
    this.element.tabIndex = 0;
    this.head = document.createElement("div");
    this.head.className = "grid-head";
    this.head.setAttribute("role", "row");
    this.body = document.createElement("div");
    this.body.style.position = "relative";
    this.body.style.overflow = "hidden"; // rows drawn near the end never lengthen the scroll
    this.element.append(this.head, this.body);
    const template = `6.5rem repeat(${columns.length}, minmax(8rem, 1fr))`;
    this.head.style.gridTemplateColumns = template;
    this.gridTemplate = template;
    this.head.append(cell(t("row"), "columnheader"));
    for (const column of columns) this.head.append(cell(column.label, "columnheader"));
    this.element.addEventListener("scroll", () => this.schedule());
    this.element.addEventListener("keydown", (event) => this.onKey(event));
  }

  async reload(errorsOnly = this.errorsOnly) {
    this.errorsOnly = errorsOnly;
    this.generation = (this.generation || 0) + 1; // pages asked for before this are not kept
    this.pages.clear();
    this.loading.clear();
    this.element.scrollTop = 0;
    const generation = this.generation;
    const first = await this.page(1);
    if (generation !== this.generation) return first; // a newer reload has the table now
    this.total = first.total;
    this.element.setAttribute("aria-rowcount", String(this.total + 1));
    // Past MAX_SCROLL_PX the scrollbar stands for more than one row per ROW_HEIGHT pixels.
    this.scale = Math.max(1, (this.total * ROW_HEIGHT) / MAX_SCROLL_PX);
    this.body.style.height = `${(this.total * ROW_HEIGHT) / this.scale}px`;
    this.render();
    return first;
  }

  /** One page of rows, fetched once; the oldest pages are let go past KEPT_PAGES. */
  page(number) {
    if (this.pages.has(number)) return Promise.resolve(this.pages.get(number));
    if (!this.loading.has(number)) {
      const generation = this.generation;
      const request = this.api.rows(this.importId, number, PAGE_SIZE, this.errorsOnly).then((page) => {
        if (generation !== this.generation) return page; // the filter changed meanwhile
        this.pages.set(number, page);
        this.loading.delete(number);
        while (this.pages.size > KEPT_PAGES) this.pages.delete(this.pages.keys().next().value);
        return page;
      });
      this.loading.set(number, request);
    }
    return this.loading.get(number);
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  visibleRange() {
    const count = Math.ceil(this.element.clientHeight / ROW_HEIGHT) + 1;
    if (this.scale === 1) {
      const first = Math.floor(this.element.scrollTop / ROW_HEIGHT);
      return [first, Math.min(this.total, first + count)];
    }
    // Scaled: the scrollbar's whole travel spans every row, the last screenful included.
    const travel = Math.max(1, this.element.scrollHeight - this.element.clientHeight);
    const shown = Math.floor((this.element.clientHeight - this.head.offsetHeight) / ROW_HEIGHT);
    const first = Math.round((this.element.scrollTop / travel) * Math.max(0, this.total - shown));
    return [first, Math.min(this.total, first + count)];
  }

  async render() {
    const [first, last] = this.visibleRange();
    const wanted = new Set();
    for (let position = first; position < last; position += 1) wanted.add(Math.floor(position / PAGE_SIZE) + 1);
    const missing = [...wanted].filter((number) => !this.pages.has(number));
    this.draw(first, last);
    if (missing.length) {
      await Promise.all(missing.map((number) => this.page(number)));
      const [nowFirst, nowLast] = this.visibleRange();
      this.draw(nowFirst, nowLast);
    }
  }

  rowAt(position) {
    const page = this.pages.get(Math.floor(position / PAGE_SIZE) + 1);
    return page ? page.rows[position % PAGE_SIZE] : undefined;
  }

  draw(first, last) {
    if (this.editing) return; // never redraw under the person typing
    const rows = [];
    for (let position = first; position < last; position += 1) {
      const row = this.rowAt(position);
      const line = document.createElement("div");
      line.className = "grid-row";
      line.setAttribute("role", "row");
      line.setAttribute("aria-rowindex", String(position + 2));
      line.style.gridTemplateColumns = this.gridTemplate;
      line.style.top = this.scale === 1
        ? `${position * ROW_HEIGHT}px`
        : `${this.element.scrollTop + (position - first) * ROW_HEIGHT}px`;
      line.append(cell(row ? String(row.spreadsheet_row) : "…", "rowheader", "rownum"));
      for (const column of this.columns) {
        const box = cell(row ? display(row.values[column.key]) : "", "gridcell");
        if (row) {
          const failing = row.errors.filter((error) => error.column === column.key);
          box.dataset.row = String(row.row_index);
          box.dataset.column = column.key;
          box.tabIndex = -1;
          if (failing.length) {
            box.classList.add("bad");
            box.setAttribute("aria-invalid", "true");
            box.title = failing.map((error) => error.message).join("; ");
            box.dataset.raw = failing[0].value ?? "";
            box.setAttribute("aria-description", box.title);
            if (failing[0].value !== null && failing[0].value !== undefined) box.textContent = failing[0].value;
          }
          box.addEventListener("dblclick", () => this.edit(box));
          box.addEventListener("focus", () => { this.focused = box; });
        }
        line.append(box);
      }
      rows.push(line);
    }
    this.body.replaceChildren(...rows);
  }

  onKey(event) {
    const box = document.activeElement;
    if (event.target === this.element && ["ArrowDown", "Enter"].includes(event.key)) {
      const firstCell = this.body.querySelector("[data-column]");
      if (firstCell) { firstCell.focus(); event.preventDefault(); }
      return;
    }
    if (!box?.dataset?.column || this.editing) return;
    const moves = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] };
    if (event.key === "Enter" || event.key === "F2") {
      event.preventDefault();
      this.edit(box);
    } else if (moves[event.key]) {
      event.preventDefault();
      const [down, right] = moves[event.key];
      const keys = this.columns.map((column) => column.key);
      const line = box.parentElement;
      const target = down
        ? (down > 0 ? line.nextElementSibling : line.previousElementSibling)?.children[keys.indexOf(box.dataset.column) + 1]
        : (right > 0 ? box.nextElementSibling : box.previousElementSibling);
      if (target?.dataset?.column) target.focus();
      else if (down) { this.element.scrollTop += down * ROW_HEIGHT; }
    }
  }

  edit(box) {
    if (this.editing) return;
    this.editing = true;
    const input = document.createElement("input");
    input.value = box.dataset.raw ?? box.textContent;
    input.setAttribute("aria-label", `${box.dataset.column}, ${t("row")} ${box.parentElement.firstChild.textContent}`);
    box.classList.add("editing");
    box.replaceChildren(input);
    input.focus();
    input.select();
    const finish = async (save) => {
      if (!this.editing) return;
      this.editing = false;
      if (save) await this.save([{ row_index: Number(box.dataset.row), column: box.dataset.column, value: input.value }]);
      else this.render();
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); finish(true); }
      if (event.key === "Escape") { event.preventDefault(); finish(false); }
    });
    input.addEventListener("blur", () => finish(true));
  }

  /** PATCH the corrections, put the rows it answers with into their pages, redraw. */
  async save(corrections) {
    const result = await this.api.patch(this.importId, corrections);
    for (const updated of result.updated_rows) {
      for (const page of this.pages.values()) {
        const index = page.rows.findIndex((row) => row.row_index === updated.row_index);
        if (index >= 0) page.rows[index] = updated;
      }
    }
    this.onCounts(result);
    this.render();
    return result;
  }

  /** Every row with an error on this column and this raw value, found page by page. */
  async rowsWithError(column, raw) {
    const found = [];
    for (let number = 1; ; number += 1) {
      const page = await this.api.rows(this.importId, number, 1000, true);
      for (const row of page.rows) {
        if (row.errors.some((error) => error.column === column && (error.value ?? "") === raw)) found.push(row.row_index);
      }
      if (number >= page.pages) return found;
    }
  }

  async replaceEverywhere(column, raw, value) {
    const rows = await this.rowsWithError(column, raw);
    let changed = 0;
    for (let start = 0; start < rows.length; start += 500) {
      const chunk = rows.slice(start, start + 500).map((row_index) => ({ row_index, column, value }));
      await this.save(chunk);
      changed += chunk.length;
    }
    return changed;
  }
}

function cell(text, role, className = "") {
  const box = document.createElement("div");
  box.setAttribute("role", role);
  if (className) box.className = className;
  box.textContent = text;
  return box;
}

function display(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
