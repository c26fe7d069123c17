#!/usr/bin/env python3
"""Start a new region's edition of the guide (used by `make region`); see guidebook/scaffold.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from guidebook.scaffold import main  # noqa: E402

sys.exit(main())
