#!/usr/bin/env python3
"""Execute one notebook with nbclient (called by scripts/run-notebooks.mjs).

    nbexec.py SOURCE DEST KERNEL CWD TIMEOUT

Writes the executed notebook to DEST (also when a cell fails, so the error can
be read there) and prints one JSON line on stdout: ok, seconds, cells (the
seconds of each code cell, by cell index) and, on failure, the index of the
failing cell and its error (name, message, traceback).
"""
import json
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def main() -> int:
    source, dest, kernel, cwd, timeout = sys.argv[1:6]
    nb = nbformat.read(source, as_version=4)
    state = {"cell": None, "started": None}
    timings = {}

    def on_start(cell, cell_index, **_):
        state["cell"] = cell_index
        state["started"] = time.time()

    def on_complete(cell, cell_index, **_):
        if state["started"] is not None:
            timings[cell_index] = round(time.time() - state["started"], 3)

    client = NotebookClient(
        nb,
        timeout=int(timeout),
        kernel_name=kernel,
        resources={"metadata": {"path": cwd}},
        record_timing=False,
        on_cell_start=on_start,
        on_cell_executed=on_complete,
    )
    result = {"ok": True}
    t0 = time.time()
    try:
        client.execute()
    except CellExecutionError as e:
        result = {"ok": False, "cell": state["cell"], "ename": "CellExecutionError", "evalue": str(e).strip().splitlines()[-1] if str(e).strip() else "", "traceback": []}
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    result = {"ok": False, "cell": i, "ename": out.get("ename", ""), "evalue": out.get("evalue", ""), "traceback": out.get("traceback", [])}
                    break
            if not result["ok"] and result["ename"] != "CellExecutionError":
                break
    except CellTimeoutError as e:
        result = {"ok": False, "cell": state["cell"], "ename": "Timeout", "evalue": f"the cell ran for more than {timeout} s", "traceback": [str(e)]}
    except DeadKernelError as e:
        result = {"ok": False, "cell": state["cell"], "ename": "DeadKernel", "evalue": str(e), "traceback": []}
    except Exception as e:  # the kernel did not start, a malformed notebook, ...
        result = {"ok": False, "cell": state["cell"], "ename": type(e).__name__, "evalue": str(e), "traceback": []}
    result["seconds"] = round(time.time() - t0, 2)
    result["cells"] = timings
    nbformat.write(nb, dest)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
