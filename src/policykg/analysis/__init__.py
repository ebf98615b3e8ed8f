"""Helpers for analysts and the notebooks: the graph as labelled DataFrames, figures, a Sankey, validation findings
and the policy over time. One import gives everything: `from policykg import analysis`.

Modules, by concern:
  session    open_store, query_df (SPARQL text, 'cq02' or an analysis query name), versions, sparql/show_sparql
             (the .rq file behind each table and figure: policykg/store/sparql/*.rq and queries/*.rq); a question
             or helper that does not apply to the version asked of raises NotApplicable with the reason
  labelling  readable labels beside IRIs (add_labels), process labels told apart by basis and audience
  tables     processes, processes_per_basis, basis_matrix(level=, audience=, version=), audience tables, summary
  figures    plot_matrix(df, row, col, value) for any long table, the basis heatmap, bar charts, save_figure
  sankey     sankey_flows / plot_sankey / sankey_interactive: information -> purpose -> recipient
  findings   validate_build, findings_table, findings_pivot, rule_sources (notebook 04)
  over_time  comparisons, process_changes, changes_by_basis, value_changes, items_gained (notebook 05)
  regimes    regime_timeline, ai_for_ads, ads_items, global_changes, not_stated, their figures (notebook 06)
  export     to_csv / to_excel / export, processing_matrix (the build's CSV, no SPARQL needed)
  endpoint   running_endpoint (policykg serve in a child process), sparqlwrapper_df

Nothing heavy is imported here: pandas, matplotlib and plotly load when a function needs them.
"""

from __future__ import annotations

from policykg.analysis.endpoint import endpoint_available, running_endpoint, sparqlwrapper_df
from policykg.analysis.export import export, processing_matrix, to_csv, to_excel
from policykg.analysis.figures import (
                      BASIS_COLOURS,
                      plot_audience_bases,
                      plot_basis_heatmap,
                      plot_matrix,
                      plot_processes_per_basis,
                      save_figure,
)
from policykg.analysis.findings import (
                      findings_pivot,
                      findings_table,
                      links_as_html,
                      plot_findings,
                      quote,
                      rule_sources,
                      validate_build,
)
from policykg.analysis.labelling import (
                      AUDIENCE_SHORT,
                      add_labels,
                      audience_short,
                      basis_code,
                      basis_short,
                      label_index,
                      labeller,
                      readable,
)
from policykg.analysis.over_time import (
                      changes_by_basis,
                      comparisons,
                      items_gained,
                      plot_changes_by_basis,
                      plot_items_gained,
                      process_changes,
                      value_changes,
)
from policykg.analysis.regimes import (
                      ads_items,
                      ai_for_ads,
                      global_changes,
                      not_stated,
                      plot_ads_items,
                      plot_regime_timeline,
                      regime_timeline,
)
from policykg.analysis.sankey import NO_RECIPIENT, basis_choices, plot_sankey, sankey_flows, sankey_interactive
from policykg.analysis.session import (
                      ALL,
                      NotApplicable,
                      build_dir,
                      dataset_graphs,
                      open_store,
                      primary_version,
                      query_df,
                      run,
                      select_df,
                      show_sparql,
                      sparql,
                      states,
                      version_facts,
                      version_names,
                      versions,
)
from policykg.analysis.tables import (
                      AUDIENCE_GROUPS,
                      audience_comparison,
                      audience_groups,
                      basis_by_audience_group,
                      basis_matrix,
                      graph_summary,
                      matrix_long,
                      parse_summary_markdown,
                      process_information,
                      processes,
                      processes_for_audience,
                      processes_per_basis,
                      resolve_audience,
                      resolve_basis,
                      several_bases,
                      summary_markdown,
                      versions_summary,
)

__all__ = [
    "ALL", "AUDIENCE_GROUPS", "AUDIENCE_SHORT", "BASIS_COLOURS", "NO_RECIPIENT", "NotApplicable",
    "add_labels", "ads_items", "ai_for_ads", "global_changes", "not_stated", "plot_ads_items", "plot_regime_timeline",
    "regime_timeline", "audience_comparison", "audience_groups", "audience_short", "basis_by_audience_group", "basis_choices",
    "basis_code", "basis_matrix", "basis_short", "build_dir", "changes_by_basis", "comparisons", "dataset_graphs",
    "endpoint_available", "export", "findings_pivot", "findings_table", "graph_summary", "items_gained",
    "label_index", "labeller", "links_as_html", "matrix_long", "open_store", "parse_summary_markdown",
    "plot_audience_bases", "plot_basis_heatmap", "plot_changes_by_basis", "plot_findings", "plot_items_gained",
    "plot_matrix", "plot_processes_per_basis", "plot_sankey", "primary_version", "process_changes",
    "process_information", "processes", "processes_for_audience", "processes_per_basis", "processing_matrix",
    "query_df", "quote", "readable", "resolve_audience", "resolve_basis", "rule_sources", "run", "running_endpoint",
    "sankey_flows", "sankey_interactive", "save_figure", "select_df", "several_bases", "show_sparql",
    "sparql", "sparqlwrapper_df", "states", "summary_markdown", "versions_summary", "to_csv", "to_excel", "validate_build",
    "value_changes", "version_facts", "version_names", "versions",
]
