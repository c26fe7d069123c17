"""mkdocs-macros entry point: hands the guide data and its fragments to the pages.

All logic lives in ``guidebook/``; see ``guidebook/macros.py``.
"""
from guidebook.macros import define_env, on_pre_page_macros  # noqa: F401
