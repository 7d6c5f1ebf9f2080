"""An import's Dagster run, submitted by the API itself through the webserver's GraphQL API.

Why: the ``submitted_imports`` sensor found a submitted session 2.6 s after submit (p50, load 2–3;
the daemon evaluates sensors at most every 5 s). With ``dagster_url`` set, the API asks the
webserver for the run right after it answers ``submit``, as the UI's "Materialize" does. The sensor
stays: it is how a daemon-only setup starts runs, and the recovery for a submit the API could not
hand over (webserver down, API killed in between).

No run twice: before either side asks Dagster for a run, it claims the session's launch in the
session store (``ProcessingStore.claim_launch``, a compare-and-set); the one that wins asks, the
other skips. A claim nobody turned into a run within ``CLAIM_SECONDS`` may be taken over.

Plain HTTP (httpx), no Dagster import: the API never imports Dagster. The tag names live here so
the API's runs and the sensor's carry the same ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from imports_pipeline.store.processing import ProcessingStore
from imports_pipeline.store.tables import ImportSessionRow

SESSION_TAG = "imports/session"
ORGANIZATION_TAG = "imports/organization"
TEMPLATE_TAG = "imports/template"
FILE_TAG = "imports/file"
"""The file's name as the client or partner gave it."""
DESTINATION_TAG = "imports/destination"
"""The template: dagster.yaml allows one run per value, so two imports never write one table at
once."""
PROCESSING_JOB_TAG = "imports/processing_job"
"""The processing job id submit answered with; a dropped file's run gets it once it submitted."""
PARTITION_TAG = "dagster/partition"
JOB_NAME = "process_import_job"
PARTITIONS_NAME = "import_sessions"
API_CLAIMANT = "api"
SENSOR_CLAIMANT = "sensor"
CLAIM_SECONDS = 60.0
"""Longer than the API's whole GraphQL exchange (``TIMEOUT_SECONDS`` per call) and a sensor tick's
run creation, so a live claimant always finishes before its claim can be taken over."""
TIMEOUT_SECONDS = 10.0

log = logging.getLogger(__name__)


def run_tags(session: ImportSessionRow) -> dict[str, str]:
    """What an API import's run is tagged with, whoever submits it."""
    tags = {
        SESSION_TAG: session.id,
        ORGANIZATION_TAG: session.organization_id,
        TEMPLATE_TAG: session.template_id,
        DESTINATION_TAG: session.template_id,
        FILE_TAG: session.file_name,
    }
    if session.processing_job_id:
        tags[PROCESSING_JOB_TAG] = session.processing_job_id
    return tags


REPOSITORIES = """
query { repositoriesOrError { __typename
  ... on RepositoryConnection { nodes { name location { name } jobs { name } } }
  ... on PythonError { message } } }
"""
ADD_PARTITION = """
mutation($repositorySelector: RepositorySelector!, $partitionsDefName: String!,
         $partitionKey: String!) {
  addDynamicPartition(repositorySelector: $repositorySelector,
                      partitionsDefName: $partitionsDefName, partitionKey: $partitionKey) {
    __typename ... on PythonError { message } ... on UnauthorizedError { message } } }
"""
LAUNCH_RUN = """
mutation($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on UnauthorizedError { message }
    ... on PipelineNotFoundError { message } } }
"""


class DagsterUnavailableError(Exception):
    """The webserver could not be reached or refused the run: the sensor will submit it."""


class DagsterRunSubmitter:
    """Submits processing runs through the webserver at ``url`` (``dagster_url``)."""

    def __init__(
        self,
        url: str,
        store: ProcessingStore,
        clock: Callable[[], datetime],
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.endpoint = url.rstrip("/") + "/graphql"
        self.store = store
        self.clock = clock
        self.timeout = timeout
        self._repository: dict[str, str] | None = None

    def submit(self, import_id: str) -> str | None:
        """The run's id, or None when another submitter has it or Dagster is unreachable (then
        the claim is given back and the sensor takes the session on its next tick)."""
        now = self.clock()
        if not self.store.claim_launch(
            import_id, API_CLAIMANT, now, now - timedelta(seconds=CLAIM_SECONDS)
        ):
            return None
        try:
            return self.launch(self.store.session(import_id))
        except (DagsterUnavailableError, httpx.HTTPError) as error:
            log.warning(
                "import %s: left to the sensor, Dagster did not take it: %s", import_id, error
            )
            self.store.release_launch(import_id, API_CLAIMANT)
            return None

    def launch(self, session: ImportSessionRow) -> str:
        """Add the session's partition and launch its run (queued for the daemon's run queue)."""
        repository = self.repository()
        added = self.call(
            ADD_PARTITION,
            repositorySelector=repository,
            partitionsDefName=PARTITIONS_NAME,
            partitionKey=session.id,
        )["addDynamicPartition"]
        if added["__typename"] not in (
            "AddDynamicPartitionSuccess",
            "DuplicateDynamicPartitionError",
        ):
            raise DagsterUnavailableError(f"adding partition {session.id}: {added}")
        tags = {**run_tags(session), PARTITION_TAG: session.id}
        launched = self.call(
            LAUNCH_RUN,
            executionParams={
                "selector": {**repository, "jobName": JOB_NAME},
                "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
            },
        )["launchRun"]
        if launched["__typename"] != "LaunchRunSuccess":
            raise DagsterUnavailableError(f"launching the run of {session.id}: {launched}")
        run_id: str = launched["run"]["runId"]
        return run_id

    def repository(self) -> dict[str, str]:
        """The code location and repository that hold the processing job, looked up once."""
        if self._repository is None:
            answer = self.call(REPOSITORIES)["repositoriesOrError"]
            for node in answer.get("nodes", []):
                if any(job["name"] == JOB_NAME for job in node["jobs"]):
                    self._repository = {
                        "repositoryLocationName": node["location"]["name"],
                        "repositoryName": node["name"],
                    }
            if self._repository is None:
                raise DagsterUnavailableError(f"no code location of the webserver has {JOB_NAME}")
        return self._repository

    def call(self, query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(
            self.endpoint, json={"query": query, "variables": variables}, timeout=self.timeout
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        if body.get("errors"):
            raise DagsterUnavailableError(str(body["errors"])[:500])
        data: dict[str, Any] = body["data"]
        return data
