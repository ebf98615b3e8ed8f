"""rdflib-endpoint (FastAPI + rdflib) over the same files, union default graph, for bench_endpoint.py."""

import sys

import uvicorn
from rdflib import Dataset, URIRef
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    port = int(sys.argv[1])
    dataset = Dataset(default_union=True)
    for spec in sys.argv[2:]:
        graph, path = spec.split("=", 1)
        dataset.graph(URIRef(graph)).parse(path, format="nt" if path.endswith(".nt") else "turtle")
    app = SparqlEndpoint(graph=dataset, cors_enabled=True, public_url=f"http://127.0.0.1:{port}/")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
