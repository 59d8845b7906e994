"""Legal pages and accessibility (BITV 2.0): Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit,
Leichte Sprache, Deutsche Gebärdensprache, and „Barriere melden“ (reports that reach the programme office).

The texts are Markdown files in ``<instance>/legal/`` (a deployment's own), else the defaults shipped in
``defaults/`` that say what to fill in; they are rendered through the kernel's pipeline once per file change.
"""
