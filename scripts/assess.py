#!/usr/bin/env python3
"""Simulate the IID from an answers file: scripts/assess.py jawaban.yml [--json]."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from guidebook.assess import main  # noqa: E402

sys.exit(main())
