"""IDS (buildingSMART Information Delivery Specification) checks of an IFC model with ifctester.

A rule pack may name an IDS file (``[pack] ids = "file.ids"``); each failed
requirement becomes a ``qa:ids`` finding naming the element's GlobalId.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Project, Source


def check_ids(model, ids_path: Path, input_name: str, project: Project) -> None:
    """Validate ``model`` against the IDS at ``ids_path``; failures become ``ids`` notes."""
    from ifctester import ids, reporter

    try:
        specs = ids.open(str(ids_path))
    except Exception as exc:  # a broken IDS file is the pack's fault: say so, do not stop the check
        project.note("ids", f"{input_name}: IDS file {ids_path.name} could not be read ({type(exc).__name__}: {exc})")
        return
    specs.validate(model)
    for spec in reporter.Json(specs).report()["specifications"]:
        if spec.get("status") is not False:
            continue
        failed_any = False
        for requirement in spec.get("requirements", []):
            for entity in requirement.get("failed_entities", []):
                failed_any = True
                gid = entity.get("global_id") or f"#{entity.get('id')}"
                reason = entity.get("reason") or requirement.get("description") or ""
                project.note("ids", f"{input_name}: IDS {ids_path.name} / {spec['name']}: {entity.get('class')} {gid} "
                             f"fails {requirement.get('label', '')}: {reason}", sources=[Source(input_name, gid)],
                             subjects=(gid,))
        if not failed_any:  # e.g. a required specification that nothing in the model matches
            project.note("ids", f"{input_name}: IDS {ids_path.name} / {spec['name']}: not met "
                         f"({spec.get('total_applicable', 0)} applicable elements)")
