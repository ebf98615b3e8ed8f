// The query page: examples by topic, running a query against /sparql, results as a sortable table with labels and
// CURIEs (each IRI a link to its linked-data page). A competency question that does not apply to the picked dataset
// is refused with its reason (computed by the server) instead of run; the page's URL keeps ?query=&dataset= so a
// result can be shared. No external code.
"use strict";

(function () {
  const SITE_BASE = "https://w3id.org/policykg/";
  const RDFS = "http://www.w3.org/2000/01/rdf-schema#";
  const SKOS = "http://www.w3.org/2004/02/skos/core#";
  const DPV = "https://w3id.org/dpv#";
  const DCT = "http://purl.org/dc/terms/";
  const SEPARATOR = " · ";
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const picker = document.getElementById("example");
  const question = document.getElementById("question");
  const statusLine = document.getElementById("status");
  const prefixNote = document.getElementById("prefix-note");
  const results = document.getElementById("results");
  const downloadFormat = document.getElementById("download-format");
  const downloadLink = document.getElementById("download-link");
  const showIris = document.getElementById("show-iris");
  const examples = JSON.parse(document.getElementById("examples").textContent);
  const vocabulary = JSON.parse(document.getElementById("vocabulary").textContent);
  const datasetPicker = document.getElementById("dataset");
  const refusalNote = document.getElementById("refusal");
  // Which dataset a query runs on: /sparql (one version's), /sparql/<version>, or /sparql/all (every graph).
  let endpoint = form.getAttribute("action");
  function chooseDataset(name) {
    const option = [...datasetPicker.options].find((o) => o.value === name || o.dataset.version === name) ||
      datasetPicker.options[0];
    datasetPicker.value = option.value;
    endpoint = option.dataset.endpoint;
  }

  // ---- Where a question applies, and the page's URL ----

  function currentExample() {
    // The picked competency question, while the text is still its own (an edited query is the user's SPARQL).
    const example = picker.value === "" ? null : examples[Number(picker.value)];
    return example && textarea.value === example.query ? example : null;
  }

  function refusal() {
    const example = currentExample();
    return example ? example.refusals[datasetPicker.value] || "" : "";
  }

  function updateRefusal() {
    const reason = refusal();
    refusalNote.hidden = !reason;
    refusalNote.textContent = reason;
  }

  function syncUrl() {
    const params = new URLSearchParams({ query: textarea.value });
    const option = datasetPicker.options[datasetPicker.selectedIndex];
    if (option && option.value !== "") params.set("dataset", option.dataset.version);
    history.replaceState(null, "", location.pathname + "?" + params.toString());
  }
  const prefixes = vocabulary.prefixes;
  const namespaces = Object.entries(prefixes).sort((a, b) => b[1].length - a[1].length);

  function hrefFor(iri) {
    if (iri.startsWith(SITE_BASE)) return "/" + iri.slice(SITE_BASE.length);
    return "/resource?iri=" + encodeURIComponent(iri);
  }

  function curie(iri) {
    for (const [prefix, ns] of namespaces) {
      if (iri.startsWith(ns) && iri.length > ns.length) return prefix + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  // ---- Prefixes: declare the known ones a query uses without declaring ----

  function undeclaredPrefixes(text) {
    const code = text.replace(/#[^\n]*/g, " ").replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>/g, " ");
    const declared = new Set();
    for (const m of code.matchAll(/PREFIX\s+([A-Za-z][\w.-]*)?:/gi)) declared.add(m[1] || "");
    const used = new Set();
    for (const m of code.matchAll(/(?:^|[\s(){}\[\],;.\/^|!=<>*+?])([A-Za-z][\w-]*(?:\.[\w-]+)*):(?=[\w%]|\s|$)/g)) {
      if (!declared.has(m[1]) && Object.prototype.hasOwnProperty.call(prefixes, m[1])) used.add(m[1]);
    }
    return [...used].sort();
  }

  function withPrefixes(text) {
    const missing = undeclaredPrefixes(text);
    if (!missing.length) return { text: text, added: [] };
    const lines = missing.map((p) => "PREFIX " + p + ": <" + prefixes[p] + ">");
    return { text: lines.join("\n") + "\n" + text, added: missing };
  }

  // ---- Labels: asked of the endpoint for the IRIs of a result ----

  function basisShort(iri) {
    const cited = vocabulary.gdpr[iri];
    return cited ? cited.replace(/^Art\. [0-9()a-z]+ /, "") : curie(iri);
  }

  function labelQuery(iris) {
    const values = iris.map((iri) => "<" + iri + ">").join(" ");
    return "SELECT ?s ?label ?title ?basis ?audience ?shared WHERE {\n" +
      "  VALUES ?s { " + values + " }\n" +
      "  OPTIONAL { ?s <" + RDFS + "label> ?l1 FILTER(LANG(?l1) = \"en\" || LANG(?l1) = \"\") }\n" +
      "  OPTIONAL { ?s <" + SKOS + "prefLabel> ?l2 FILTER(LANG(?l2) = \"en\" || LANG(?l2) = \"\") }\n" +
      "  BIND(COALESCE(?l1, ?l2) AS ?label)\n" +
      "  OPTIONAL { ?s a <" + DPV + "Process> ; <" + DCT + "title> ?title ; <" + DPV + "hasLegalBasis> ?basis ;\n" +
      "                <" + DPV + "hasDataSubject> ?audience .\n" +
      "    BIND(EXISTS { ?other a <" + DPV + "Process> ; <" + DCT + "title> ?title .\n" +
      "      FILTER(?other != ?s && STRBEFORE(STR(?other), \"/process/\") = STRBEFORE(STR(?s), \"/process/\")) } AS ?shared) }\n" +
      "}";
  }

  async function fetchLabels(iris) {
    const found = {};
    const processes = {};
    for (let i = 0; i < iris.length; i += 300) {
      const chunk = iris.slice(i, i + 300);
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json" },
        body: new URLSearchParams({ query: labelQuery(chunk) }),
      });
      if (!response.ok) continue;
      const data = await response.json();
      for (const b of data.results.bindings) {
        const s = b.s.value;
        if (b.label && !found[s]) found[s] = b.label.value;
        if (b.title) {
          const p = processes[s] || (processes[s] = { title: b.title.value, bases: new Set(), audiences: new Set(), shared: false });
          p.bases.add(b.basis.value);
          p.audiences.add(b.audience.value);
          p.shared = p.shared || (b.shared && b.shared.value === "true");
        }
      }
    }
    for (const [s, p] of Object.entries(processes)) {
      if (!p.shared) { found[s] = p.title; continue; }
      const bases = [...p.bases].filter((b) => b.includes("#A6-"));
      const art6 = (bases.length ? bases : [...p.bases]).sort().map(basisShort).join(" + ");
      const who = [...p.audiences].map((a) => vocabulary.audiences[a] || curie(a)).sort().join(" + ");
      found[s] = p.title + SEPARATOR + art6 + SEPARATOR + who;
    }
    for (const iri of iris) if (vocabulary.gdpr[iri]) found[iri] = vocabulary.gdpr[iri];
    return found;
  }

  // ---- The table ----

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = hrefFor(term.value);
      a.className = "iri";
      a.title = term.value;
      a.dataset.iri = term.value;
      a.textContent = curie(term.value);
      td.appendChild(a);
      const small = document.createElement("span");
      small.className = "curie";
      small.dataset.iri = term.value;
      td.appendChild(small);
      td.dataset.sort = curie(term.value);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
      td.dataset.sort = td.textContent;
    } else {
      td.textContent = term.value;
      td.dataset.sort = term.value;
      if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
      else if (term.datatype) td.title = term.datatype;
    }
    return td;
  }

  function applyLabels(table, labels) {
    for (const a of table.querySelectorAll("a.iri")) {
      const label = labels[a.dataset.iri];
      const short = curie(a.dataset.iri);
      const small = a.parentElement.querySelector("span.curie");
      if (label && label !== short) {
        a.textContent = label;
        small.textContent = short;
        a.parentElement.dataset.sort = label;
      }
    }
    table.classList.add("labelled");
  }

  function sortBy(table, column, th) {
    const body = table.tBodies[0];
    const rows = [...body.rows];
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    const keys = rows.map((r) => (r.cells[column] && r.cells[column].dataset.sort) || "");
    const numeric = keys.every((k) => k === "" || !isNaN(Number(k)));
    const order = rows.map((r, i) => i).sort((i, j) => {
      const a = keys[i], b = keys[j];
      const c = numeric ? (Number(a) - Number(b)) : a.localeCompare(b, undefined, { sensitivity: "base", numeric: true });
      return ascending ? c : -c;
    });
    for (const h of table.tHead.rows[0].cells) h.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    body.replaceChildren(...order.map((i) => rows[i]));
  }

  function renderTable(data) {
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    data.head.vars.forEach(function (v, k) {
      const th = document.createElement("th");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = v;
      button.title = "sort by " + v;
      button.addEventListener("click", () => sortBy(table, k, th));
      th.appendChild(button);
      head.appendChild(th);
    });
    const body = table.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const v of data.head.vars) row.appendChild(cell(binding[v]));
    }
    results.replaceChildren(table);
    return table;
  }

  // ---- Running ----

  function prepared() {
    return withPrefixes(textarea.value);
  }

  function updateDownloadLink() {
    const params = new URLSearchParams({ query: prepared().text, format: downloadFormat.value });
    downloadLink.href = endpoint + "?" + params.toString();
  }

  async function run(event) {
    if (event) event.preventDefault();
    syncUrl();
    const reason = refusal();
    if (reason) {
      updateRefusal();
      results.replaceChildren();
      prefixNote.hidden = true;
      statusLine.textContent = "Not asked of this dataset: " + reason;
      return;
    }
    const query = prepared();
    prefixNote.hidden = !query.added.length;
    prefixNote.textContent = query.added.length ? "Added PREFIX declarations for " + query.added.map((p) => p + ":").join(", ") : "";
    statusLine.textContent = "Running…";
    results.replaceChildren();
    const started = performance.now();
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: query.text }),
      });
    } catch (err) {
      statusLine.textContent = "The endpoint could not be reached: " + err;
      return;
    }
    const ms = Math.round(performance.now() - started);
    const type = response.headers.get("Content-Type") || "";
    const text = await response.text();
    if (!response.ok) {
      statusLine.textContent = "Error " + response.status;
      const pre = document.createElement("pre");
      pre.className = "error";
      pre.textContent = text;
      results.replaceChildren(pre);
      return;
    }
    if (type.startsWith("application/sparql-results+json")) {
      const data = JSON.parse(text);
      if (typeof data.boolean === "boolean") {
        statusLine.textContent = "ASK: " + data.boolean + " (" + ms + " ms)";
        return;
      }
      const table = renderTable(data);
      const n = data.results.bindings.length;
      statusLine.textContent = n + (n === 1 ? " row" : " rows") + " (" + ms + " ms)";
      const iris = new Set();
      for (const b of data.results.bindings) for (const t of Object.values(b)) if (t.type === "uri") iris.add(t.value);
      if (iris.size) {
        try {
          applyLabels(table, await fetchLabels([...iris]));
        } catch (err) {
          table.classList.add("labelled");  // CURIEs stay: the labels are a convenience
        }
      } else {
        table.classList.add("labelled");
      }
    } else {
      const pre = document.createElement("pre");
      pre.textContent = text;
      results.replaceChildren(pre);
      statusLine.textContent = "Graph result (" + ms + " ms)";
    }
  }

  picker.addEventListener("change", function () {
    const example = picker.value === "" ? null : examples[Number(picker.value)];
    if (example) {
      textarea.value = example.query;
      question.textContent = example.title;
      // A question across versions goes to every version at once; one of a version keeps the version picked.
      if (example.dataset === "all") chooseDataset("all");
      else if (datasetPicker.value === "all") chooseDataset("");
      updateDownloadLink();
      updateRefusal();
      syncUrl();
    }
  });
  datasetPicker.addEventListener("change", function () {
    chooseDataset(datasetPicker.value);
    updateDownloadLink();
    updateRefusal();
    syncUrl();
  });
  showIris.addEventListener("change", function () {
    results.classList.toggle("show-iris", showIris.checked);
  });
  textarea.addEventListener("input", function () {
    updateDownloadLink();
    updateRefusal();
    syncUrl();
  });
  downloadFormat.addEventListener("change", updateDownloadLink);
  form.addEventListener("submit", run);
  chooseDataset(datasetPicker.value);
  updateDownloadLink();
  updateRefusal();
})();
