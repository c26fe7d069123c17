#!/usr/bin/env python3
"""Build the site and handbook into site/ atomically (used by `make build`)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from guidebook.build import main  # noqa: E402

sys.exit(main())
