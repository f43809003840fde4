"""tvauth: sign input-limited devices into Zoho with the device authorization flow.

The public API is re-exported here. Importing ``tvauth`` loads neither Textual nor qrcode, and
nothing heavy at all: the names below resolve lazily, so ``tvauth token`` stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
