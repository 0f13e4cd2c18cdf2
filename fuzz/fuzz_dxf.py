"""Long-running DXF fuzz harness: ``python fuzz/fuzz_dxf.py --minutes 5``.

Feeds mutated and generated DXF files (``fuzz/gen_dxf.py``) through the
whole pipeline in-process and renders every report format. An input
"fails" when it raises anything but the documented ``InputError`` (with a
one-line message), runs longer than ``--budget`` seconds, or (unless
``--no-readers``) gives another report or error with ``--reader ezdxf`` than
with the default reader (the fast reader where it can). Failing inputs
are saved as ``fuzz/crashes/dxf-<hash>.dxf`` with the error beside them in
``.txt`` (the folder is git-ignored). Prints how many inputs ran and failed;
exits 1 when any failed.

    --engine random   seeded mutation loop (default; reproducible with --seed)
    --engine atheris  coverage-guided (pip install atheris), seeded with the same drawings

Reproduce a saved input with ``python fuzz/fuzz_dxf.py --replay fuzz/crashes/dxf-<sha256 prefix>.dxf``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import Harness  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds one input may take")
    parser.add_argument("--engine", choices=("random", "atheris"), default="random")
    parser.add_argument("--formats", default="json,html,sarif,junit,dxf", help="formats rendered for each report")
    parser.add_argument("--slow", type=float, default=10.0, help="save inputs slower than this (s)")
    parser.add_argument("--replay", type=Path, nargs="*")
    parser.add_argument("--no-readers", action="store_true", help="skip the fast-reader / ezdxf comparison")
    args = parser.parse_args(argv)

    import gen_dxf
    import oracle

    formats = tuple(f for f in args.formats.split(",") if f)
    harness = Harness("dxf", ".dxf", lambda data, folder: oracle.check_dxf(
        data, folder, formats=formats, budget=args.budget, readers=not args.no_readers), slow=args.slow)
    if args.replay:
        return harness.replay(args.replay)
    if args.engine == "atheris":
        return harness.atheris(args.minutes, gen_dxf.seed_documents,
                               ("ezdxf", "drawcheck.readers.dxf", "drawcheck.readers.dxf_entities", "drawcheck.pipeline"))
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    return harness.run(args.minutes, seed, gen_dxf.dxf_input)


if __name__ == "__main__":
    sys.exit(main())
