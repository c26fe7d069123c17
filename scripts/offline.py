#!/usr/bin/env python3
"""Write only the offline copy, site/unduh/<slug>-offline.zip (used by `make offline`)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from guidebook.offline import main  # noqa: E402

sys.exit(main())
