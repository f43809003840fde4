"""Sub-command implementations; each is imported only when its command runs."""
