"""Long-running manifest fuzz harness: ``python fuzz/fuzz_manifest.py --minutes 2``.

Feeds TOML-ish text, mutations of a valid manifest and random key/value
trees (``fuzz/gen_manifest.py``) to :func:`drawcheck.manifest.load_manifest`
in a folder with drawings, a local pack and symbolic links in and out. An
input "fails" when it raises anything but ``ManifestError`` (one line), when
an accepted input path leaves the folder, or when a value is evaluated (the
generated ``__import__('os').system('touch /tmp/drawcheck-pwned')`` would
create that file: checked at the end). Failing inputs go to
``fuzz/crashes/manifest-<hash>.toml``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import Harness  # noqa: E402

PWNED = Path("/tmp/drawcheck-pwned")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--budget", type=float, default=10.0, help="seconds one input may take")
    parser.add_argument("--engine", choices=("random", "atheris"), default="random")
    parser.add_argument("--replay", type=Path, nargs="*")
    args = parser.parse_args(argv)

    import gen_manifest
    import oracle

    PWNED.unlink(missing_ok=True)
    base = Path(tempfile.mkdtemp(prefix="drawcheck-fuzz-manifest-"))
    folder = base / "submission"
    folder.mkdir()
    gen_manifest.prepare_folder(folder)
    harness = Harness("manifest", ".toml",
                      lambda data, _: oracle.check_manifest(data, folder, budget=args.budget))
    if args.replay:
        code = harness.replay(args.replay)
    elif args.engine == "atheris":
        code = harness.atheris(args.minutes, [gen_manifest.VALID.encode("utf-8")], ("drawcheck.manifest",))
    else:
        seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
        code = harness.run(args.minutes, seed, gen_manifest.manifest_input)
    if PWNED.exists():
        print(f"FAILED: {PWNED} was created: a manifest value was evaluated")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
