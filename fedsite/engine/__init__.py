"""The only code that imports MkDocs: it turns a planned site into HTML."""
