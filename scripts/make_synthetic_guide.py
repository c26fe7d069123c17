#!/usr/bin/env python3
"""Write a copy of the project with N generated chapters: make_synthetic_guide.py N OUTDIR."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from guidebook.bench.synthetic import main  # noqa: E402

sys.exit(main())
