"""Executes a notebook with nbclient and exports it to HTML (used by tlx-run).

Arguments: NOTEBOOK OUT_NOTEBOOK OUT_HTML KERNEL_NAME CELL_TIMEOUT_S
Prints one JSON line on stdout: {"cells": N, "failed": null | {"index", "ename", "evalue", "traceback"}}.
Runs under the python of .tlx/venv (nbclient 0.11, nbconvert 7.17, pinned by
scripts/python/requirements.lock). The report uses nbconvert's JupyterLab
template without the scripts it would load from a CDN (RequireJS, MathJax,
Mermaid): tlx charts need none of them, so the page opens offline.
"""
import json
import os
import sys

import jinja2
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError
from nbconvert import HTMLExporter


# The lab template with its network scripts left out.
REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock -%}
{%- block html_head_js_mathjax -%}{%- endblock -%}
{%- block html_head_js_mermaidjs -%}{%- endblock -%}
"""


def report_exporter():
    return HTMLExporter(template_name="lab", template_file="tlx-report.html.j2",
                        extra_loaders=[jinja2.DictLoader({"tlx-report.html.j2": REPORT_TEMPLATE})])


def main():
    src, out_nb, out_html, kernel, timeout = sys.argv[1:6]
    nb = nbformat.read(src, as_version=4)
    state = {"index": None}

    def on_cell_execute(cell, cell_index, **_):
        state["index"] = cell_index

    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=int(timeout),
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
        on_cell_execute=on_cell_execute,
    )
    failed = None
    try:
        client.execute()
    except CellExecutionError as e:
        failed = {"index": state["index"], "ename": e.ename, "evalue": e.evalue, "traceback": str(e)[-4000:]}
    except DeadKernelError as e:
        failed = {"index": state["index"], "ename": "DeadKernelError", "evalue": str(e), "traceback": ""}
    # A kernel that reported "ok" for a failing cell is still caught here.
    if failed is None:
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    failed = {"index": i, "ename": out.get("ename", ""), "evalue": out.get("evalue", ""),
                              "traceback": "\n".join(out.get("traceback", []))[-4000:]}
                    break
            if failed:
                break
    nbformat.write(nb, out_nb)
    body, _ = report_exporter().from_notebook_node(nb)
    with open(out_html, "w", encoding="utf-8") as f:
        f.write(body)
    print(json.dumps({"cells": len(nb.cells), "failed": failed}))


if __name__ == "__main__":
    main()
