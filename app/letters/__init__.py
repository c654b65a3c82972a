"""Letters: operator-editable templates, filled in a sandbox, set as A4 PDF with reportlab.

``render.render_letter(document, language, context) -> bytes`` is the entry
point; ``app.services.letters`` archives issued letters.
"""
