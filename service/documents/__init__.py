"""Official documents: context builders, DOCX (docxtpl) and PDF (WeasyPrint) renderers."""
