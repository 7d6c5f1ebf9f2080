// The page's words in English and Spanish. The language comes from ?lang=, else the browser.

const WORDS = {
  en: {
    title: "Import a file", language: "Language", steps: "Steps", skip: "Skip to the current step",
    step_connect: "Connect", step_template: "Template", step_upload: "Upload", step_map: "Columns",
    step_values: "Values", step_review: "Review", step_submit: "Submit", step_done: "Done",
    connect_help: "Enter an API key of your organization. It stays in this tab only.",
    api_key: "API key", organization: "Organization id", connect: "Connect",
    choose_template: "Which kind of data are you importing?", template: "Template", next: "Next", back: "Back",
    drop_here: "Drop a CSV or Excel file here, or choose one", choose_file: "Choose a file",
    numeric_locale: "How numbers are written", locale_auto: "Detect for each column",
    uploading: "Uploading and reading {name}…", sheet: "Sheet", header_row: "Header row",
    header_row_detected: "Header found on row {row} of the file.", reread: "Read again with this header row",
    rows_read: "{rows} rows read from {name}", columns_found: "Columns found",
    map_help: "Choose which column of your file fills each field. Suggestions are preselected with their score.",
    field: "Field", your_column: "Column in your file", score: "Score", not_mapped: "— not imported —",
    required_missing: "Map these required fields first: {fields}",
    values_help: "Each distinct value of a category field, with how often it appears. Choose the option it means.",
    no_categories: "No category fields to check.", raw_value: "Value in your file", count: "Rows", option: "Option",
    keep: "(leave as it is)", closest: "Closest options", validating: "Checking every row…",
    valid_rows: "Valid rows", error_rows: "Rows with errors", total_rows: "Rows",
    errors_only: "Show only rows with errors", review_help: "Double-click or press Enter on a cell to change it. Failing cells are outlined in red.",
    row: "Row", replace_all: "Replace in every row with this error", replace_with: "Replace “{value}” in {column} with:",
    replaced: "{count} cells changed", saving: "Saving…",
    ignore_errors: "Import the valid rows and leave out the rows with errors",
    action: "What to do with the rows", action_merge: "Add new rows and update existing ones",
    action_overwrite: "Replace everything in the destination with this file", action_delete: "Delete these rows",
    submit: "Import", submitting: "Sending…", still_errors: "{count} rows still have errors: fix them or choose to leave them out.",
    processing: "Importing…", phase: "Phase", finished: "Import finished: {status}",
    created: "Created", updated: "Updated", unchanged: "Unchanged", deleted: "Deleted", failed_rows: "Left out",
    download_report: "Download the error report (Excel)", start_again: "Import another file",
    error_prefix: "The server said: {detail}",
  },
  es: {
    title: "Importar un archivo", language: "Idioma", steps: "Pasos", skip: "Ir al paso actual",
    step_connect: "Conectar", step_template: "Plantilla", step_upload: "Subir", step_map: "Columnas",
    step_values: "Valores", step_review: "Revisar", step_submit: "Enviar", step_done: "Hecho",
    connect_help: "Introduce una clave de API de tu organización. Solo se guarda en esta pestaña.",
    api_key: "Clave de API", organization: "Id de organización", connect: "Conectar",
    choose_template: "¿Qué tipo de datos vas a importar?", template: "Plantilla", next: "Siguiente", back: "Atrás",
    drop_here: "Suelta aquí un archivo CSV o Excel, o elige uno", choose_file: "Elegir un archivo",
    numeric_locale: "Cómo se escriben los números", locale_auto: "Detectar en cada columna",
    uploading: "Subiendo y leyendo {name}…", sheet: "Hoja", header_row: "Fila de cabecera",
    header_row_detected: "Cabecera encontrada en la fila {row} del archivo.", reread: "Volver a leer con esta fila de cabecera",
    rows_read: "{rows} filas leídas de {name}", columns_found: "Columnas encontradas",
    map_help: "Elige qué columna de tu archivo rellena cada campo. Las sugerencias vienen marcadas con su puntuación.",
    field: "Campo", your_column: "Columna de tu archivo", score: "Puntuación", not_mapped: "— no se importa —",
    required_missing: "Primero asigna estos campos obligatorios: {fields}",
    values_help: "Cada valor distinto de un campo de categorías, con cuántas veces aparece. Elige la opción que significa.",
    no_categories: "No hay campos de categorías que revisar.", raw_value: "Valor en tu archivo", count: "Filas", option: "Opción",
    keep: "(dejar como está)", closest: "Opciones más parecidas", validating: "Comprobando todas las filas…",
    valid_rows: "Filas válidas", error_rows: "Filas con errores", total_rows: "Filas",
    errors_only: "Mostrar solo filas con errores", review_help: "Haz doble clic o pulsa Intro en una celda para cambiarla. Las celdas con errores van en rojo.",
    row: "Fila", replace_all: "Reemplazar en todas las filas con este error", replace_with: "Reemplazar «{value}» en {column} por:",
    replaced: "{count} celdas cambiadas", saving: "Guardando…",
    ignore_errors: "Importar las filas válidas y dejar fuera las que tienen errores",
    action: "Qué hacer con las filas", action_merge: "Añadir filas nuevas y actualizar las existentes",
    action_overwrite: "Sustituir todo el destino por este archivo", action_delete: "Borrar estas filas",
    submit: "Importar", submitting: "Enviando…", still_errors: "{count} filas siguen con errores: corrígelas o elige dejarlas fuera.",
    processing: "Importando…", phase: "Fase", finished: "Importación terminada: {status}",
    created: "Creadas", updated: "Actualizadas", unchanged: "Sin cambios", deleted: "Borradas", failed_rows: "Fuera",
    download_report: "Descargar el informe de errores (Excel)", start_again: "Importar otro archivo",
    error_prefix: "El servidor dice: {detail}",
  },
};

export function chosenLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  const browser = (navigator.language || "en").slice(0, 2);
  return [asked, browser].find((lang) => lang && WORDS[lang]) || "en";
}

let language = chosenLanguage();

export function setLanguage(lang) {
  language = WORDS[lang] ? lang : "en";
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of document.querySelectorAll("[data-i18n-aria]")) {
    element.setAttribute("aria-label", t(element.dataset.i18nAria));
  }
}

export function currentLanguage() {
  return language;
}

export function t(key, values = {}) {
  const text = WORDS[language][key] ?? WORDS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}
