"""The full-screen sign-in (Textual lives only in this package).

Importing ``tvauth.ui`` itself loads nothing heavy; ``tvauth.ui.app`` brings in Textual. Entry point:
:func:`tvauth.ui.app.run_app`.
"""
