#!/usr/bin/env python3
"""Measure build speed and page weight (used by `make bench`); see guidebook/bench/run.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from guidebook.bench.run import main  # noqa: E402

sys.exit(main())
