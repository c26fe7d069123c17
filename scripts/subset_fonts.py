#!/usr/bin/env python3
"""Rewrite the web font subsets (overrides/assets/fonts/*-id-*.woff2) from the full Latin files."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from guidebook.pageweight import subset_web_fonts  # noqa: E402

for name, before, after in subset_web_fonts():
    print(f"{name}: {before:,} -> {after:,} bita")
