"""Celery tasks of the compounds app: thin wrappers around its functions."""

from celery import shared_task

from .import_jobs import run_import_job


@shared_task
def import_ledger_task(job_id: int) -> str:
    """Run an import job's dry run or import (`import_jobs.run_import_job`);
    the job's state at the end."""
    job = run_import_job(job_id)
    return job.state if job is not None else ""
