"""Stage 2, curated sources: data/versions.yaml (the registry), each version's notice.yaml and processes.yaml read with
line numbers and checked against their schemas; the DPV 2.3 folder; RDF files given by users. Takes YAML and Turtle,
gives checked models (`VersionSources`) and the located policy texts."""
