"""Message templates (COM-9): one template, per-channel bodies in Russian and English, rendered in a
Jinja2 sandbox with Babel's money, dates and plural forms; SMS length at preview."""
