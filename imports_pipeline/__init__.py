"""imports_pipeline: messy CSV/XLSX in, clean validated rows out."""

__version__ = "0.1.0"
