// The public API, as the page calls it: the same /v2 endpoints any client uses.

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
    this.code = code;
  }
}

/** What the server said, in one sentence: a 422's list of fields becomes "field: message". */
function describe(body) {
  if (!body || body.detail === undefined) return "";
  if (Array.isArray(body.detail)) {
    return body.detail.map((item) => `${(item.loc || []).slice(1).join(".")}: ${item.msg}`).join("; ");
  }
  return String(body.detail);
}

export class Api {
  /** An embed token (Bearer) or an API key with its organization. */
  constructor({ token = null, apiKey = null, organizationId = null } = {}) {
    this.token = token;
    this.apiKey = apiKey;
    this.organizationId = organizationId;
  }

  headers(extra = {}) {
    if (this.token) return { Authorization: `Bearer ${this.token}`, ...extra };
    return { "x-api-key": this.apiKey, "x-organization-id": this.organizationId, ...extra };
  }

  async call(method, path, { json, form, query } = {}) {
    const url = new URL(path, location.origin);
    for (const [name, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, value);
    }
    const init = { method, headers: this.headers() };
    if (json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(json);
    } else if (form) {
      init.body = form;
    }
    if (method === "POST" && (path.endsWith("/sessions") || path.endsWith("/submit"))) {
      init.headers["Idempotency-Key"] = crypto.randomUUID(); // a retried click is one import
    }
    const response = await fetch(url, init);
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, body?.code, describe(body) || response.statusText);
    return body;
  }

  templates() { return this.call("GET", "/v2/imports/templates"); }
  template(id) { return this.call("GET", `/v2/imports/templates/${encodeURIComponent(id)}`); }
  options(source) { return this.call("GET", `/v2/imports/options/${encodeURIComponent(source)}`); }

  createSession(templateId, file, { numericLocale, selectedSheet, headerRow } = {}) {
    const form = new FormData();
    form.set("template_id", templateId);
    form.set("upload_file", file, file.name);
    if (numericLocale) form.set("numeric_locale", numericLocale);
    if (selectedSheet) form.set("selected_sheet", selectedSheet);
    if (headerRow !== undefined && headerRow !== null) form.set("header_row", String(headerRow));
    return this.call("POST", "/v2/imports/sessions", { form });
  }

  suggest(id) { return this.call("POST", `/v2/imports/${id}/mapping/suggest`, { json: {} }); }
  uniqueValues(id, mapping) { return this.call("POST", `/v2/imports/${id}/unique-values`, { json: { mapping } }); }
  validate(id, mapping, valueMapping) {
    return this.call("POST", `/v2/imports/${id}/validate`, {
      json: { mapping, value_mapping: valueMapping },
      query: { page: 1, page_size: 1 },
    });
  }
  rows(id, page, pageSize, errorsOnly) {
    return this.call("GET", `/v2/imports/${id}/rows`, { query: { page, page_size: pageSize, errors_only: errorsOnly } });
  }
  patch(id, corrections) { return this.call("PATCH", `/v2/imports/${id}/rows`, { json: { corrections } }); }
  submit(id, options) { return this.call("POST", `/v2/imports/${id}/submit`, { json: options }); }
  status(id) { return this.call("GET", `/v2/imports/${id}/status`); }
  reportLink(id) { return this.call("GET", `/v2/imports/${id}/files/errors.xlsx/link`); }
}
