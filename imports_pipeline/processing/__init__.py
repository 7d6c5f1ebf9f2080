"""After submit: the processing phases (``phases``), their hand-off tables, and rollback."""

from imports_pipeline.processing.phases import ImportProcessing
from imports_pipeline.processing.recording import RunAttempt
from imports_pipeline.processing.rollback import resume_stalled_rollbacks, rollback_for

__all__ = ["ImportProcessing", "RunAttempt", "resume_stalled_rollbacks", "rollback_for"]
