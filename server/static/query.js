// The query page: examples, running a query against /sparql, rendering results. No external code.
"use strict";

(function () {
  const SITE_BASE = "https://w3id.org/policykg/";
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const picker = document.getElementById("example");
  const statusLine = document.getElementById("status");
  const results = document.getElementById("results");
  const downloadFormat = document.getElementById("download-format");
  const downloadLink = document.getElementById("download-link");
  const examples = JSON.parse(document.getElementById("examples").textContent);
  const endpoint = form.getAttribute("action");

  function hrefFor(iri) {
    if (iri.startsWith(SITE_BASE)) return "/" + iri.slice(SITE_BASE.length);
    return "/resource?iri=" + encodeURIComponent(iri);
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = hrefFor(term.value);
      a.textContent = term.value;
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
      else if (term.datatype) td.title = term.datatype;
    }
    return td;
  }

  function renderTable(data) {
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    for (const v of data.head.vars) {
      const th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const v of data.head.vars) row.appendChild(cell(binding[v]));
    }
    results.replaceChildren(table);
    return data.results.bindings.length;
  }

  function updateDownloadLink() {
    const params = new URLSearchParams({ query: textarea.value, format: downloadFormat.value });
    downloadLink.href = endpoint + "?" + params.toString();
  }

  async function run(event) {
    if (event) event.preventDefault();
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
        body: new URLSearchParams({ query: textarea.value }),
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
      const n = renderTable(data);
      statusLine.textContent = n + (n === 1 ? " row" : " rows") + " (" + ms + " ms)";
    } else {
      const pre = document.createElement("pre");
      pre.textContent = text;
      results.replaceChildren(pre);
      statusLine.textContent = "Graph result (" + ms + " ms)";
    }
  }

  picker.addEventListener("change", function () {
    const example = examples[Number(picker.value)];
    if (example) {
      textarea.value = example.query;
      updateDownloadLink();
    }
  });
  textarea.addEventListener("input", updateDownloadLink);
  downloadFormat.addEventListener("change", updateDownloadLink);
  form.addEventListener("submit", run);
  updateDownloadLink();
})();
