"""Batch mode: check many submissions, each in its own process, locally or on a Dask cluster.

``drawcheck batch SOURCE... --out DIR`` (see :mod:`drawcheck.batch.runner`):
reports go to ``DIR/<submission>/report.json`` as they finish, the summary to
``DIR/summary.{json,csv,html}``. Python::

    from drawcheck.batch import Options, run_batch
    result = run_batch(["submissions/"], "out", options=Options(timeout=120), jobs=4)
    result.exit_code  # 2 unreadable / failed / timeout, 1 findings, 0 clean
"""

from .runner import BatchError, BatchResult, Options, discover, run_batch

__all__ = ["BatchError", "BatchResult", "Options", "discover", "run_batch"]
