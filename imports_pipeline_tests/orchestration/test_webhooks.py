"""Webhooks from real runs on a real Dagster instance: the run-status sensors announce what the
import became, a real HTTP receiver gets it signed, once, and a retry sensor resends what failed."""

from __future__ import annotations

import json

import dagster as dg
import sqlalchemy as sa
import standardwebhooks

from imports_pipeline.orchestration.assets import PHASE_ASSETS
from imports_pipeline.orchestration.partitions import import_sessions
from imports_pipeline.orchestration.resources import ImportsResource
from imports_pipeline.orchestration.sensors import failed_import_runs
from imports_pipeline.orchestration.webhooks import processed_import_webhooks, webhook_deliveries
from imports_pipeline.run_submission import run_tags
from imports_pipeline.store.tables import WebhookDeliveryRow
from imports_pipeline_tests.orchestration.test_drops import drop, inbox, run_dropped, tick
from imports_pipeline_tests.submitted import ACTOR, MESSY_FILE, submit_rows
from imports_pipeline_tests.test_processing_attempts import UNREACHABLE
from imports_pipeline_tests.webhook_receiver import webhook_receiver

EVERY_EVENT = ["import.completed", "import.failed", "import.needs_review"]


def run_import(instance, imports, service, import_id: str) -> dg.ExecuteInProcessResult:
    """The run the sensor would request for the submitted import, with its tags."""
    instance.add_dynamic_partitions(import_sessions.name, [import_id])
    return dg.materialize(
        PHASE_ASSETS,
        partition_key=import_id,
        instance=instance,
        resources={"imports": imports},
        tags=run_tags(service.stores.processing.session(import_id)),
        raise_on_error=False,
    )


def evaluate_on_end(instance, imports, run_id: str) -> None:
    """The run-status sensor that watches how the run ended, as the daemon evaluates it."""
    run = instance.get_run_by_id(run_id)
    kind = dg.DagsterEventType.RUN_SUCCESS if run.is_success else dg.DagsterEventType.RUN_FAILURE
    [ended] = instance.all_logs(run_id, of_type=kind)
    context = dg.build_run_status_sensor_context(
        sensor_name=processed_import_webhooks.name if run.is_success else failed_import_runs.name,
        dagster_event=ended.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"imports": imports},
    )
    if run.is_success:
        processed_import_webhooks(context)
    else:
        failed_import_runs(context.for_run_failure())


def verified(hook, got) -> dict:
    """The payload as a receiver reads it after checking the signature with the spec's library."""
    return standardwebhooks.Webhook(hook.secret).verify(got.body, got.headers)


def test_a_processed_import_is_announced_once_with_its_status(instance, imports, service):
    import_id = submit_rows(service, MESSY_FILE)
    with webhook_receiver() as receiver:
        hook = service.stores.webhooks.subscribe(
            ACTOR.organization_id, receiver.url, EVERY_EVENT, None
        )
        result = run_import(instance, imports, service, import_id)
        assert result.success
        evaluate_on_end(instance, imports, result.run_id)
        evaluate_on_end(instance, imports, result.run_id)  # the same run seen twice
        [got] = receiver.received
    event = verified(hook, got)
    status = service.status(ACTOR, import_id).model_dump(mode="json")
    assert event["type"] == "import.completed" and event["id"] == got.headers["webhook-id"]
    assert event["organization_id"] == ACTOR.organization_id
    assert event["data"] == status
    assert event["data"]["processing_status"] == "partially_completed"
    assert (event["data"]["valid_rows"], event["data"]["error_rows"]) == (
        status["valid_rows"],
        status["error_rows"],
    )
    [delivery] = service.stores.webhooks.deliveries(ACTOR.organization_id, hook.id)
    assert (delivery.status, delivery.attempts, delivery.import_id) == ("delivered", 1, import_id)


def test_an_import_whose_phase_failed_is_announced_as_failed(instance, imports, service):
    import_id = submit_rows(service, MESSY_FILE)
    submitted = service.repository.get_file(
        service.status(ACTOR, import_id).submitted_file_id, ACTOR.organization_id
    )
    service.files.path_of(submitted.relative_path).unlink()
    with webhook_receiver() as receiver:
        hook = service.stores.webhooks.subscribe(
            ACTOR.organization_id, receiver.url, ["import.failed"], None
        )
        result = run_import(instance, imports, service, import_id)
        assert not result.success
        evaluate_on_end(instance, imports, result.run_id)
        [got] = receiver.received
    event = verified(hook, got)
    assert event["type"] == "import.failed"
    assert event["data"]["id"] == import_id and event["data"]["processing_status"] == "failed"
    assert "prevalidate" in event["data"]["status_detail"]


def test_a_dropped_file_that_needs_a_person_is_announced_as_needs_review(
    instance, imports, service
):
    drop(inbox(imports), "wrong.csv", b"Colour;Size\nred;3\n")
    [request] = tick(instance, imports).run_requests
    with webhook_receiver() as receiver:
        hook = service.stores.webhooks.subscribe(
            ACTOR.organization_id, receiver.url, EVERY_EVENT, None
        )
        result = run_dropped(instance, imports, request)
        evaluate_on_end(instance, imports, result.run_id)
        [got] = receiver.received
    event = verified(hook, got)
    assert event["type"] == "import.needs_review"
    assert event["data"]["id"] == request.partition_key
    assert event["data"]["file_name"] == "wrong.csv" and event["data"]["processing_status"] is None


def test_only_the_events_a_subscription_names_are_sent(instance, imports, service):
    import_id = submit_rows(service, MESSY_FILE)
    with webhook_receiver() as receiver:
        service.stores.webhooks.subscribe(
            ACTOR.organization_id, receiver.url, ["import.failed"], None
        )
        result = run_import(instance, imports, service, import_id)
        evaluate_on_end(instance, imports, result.run_id)
        assert receiver.received == []


def test_a_delivery_the_receiver_refused_is_sent_again_by_the_retry_sensor(
    instance, imports, service
):
    import_id = submit_rows(service, MESSY_FILE)
    with webhook_receiver() as receiver:
        receiver.answers = [503]
        hook = service.stores.webhooks.subscribe(
            ACTOR.organization_id, receiver.url, EVERY_EVENT, None
        )
        result = run_import(instance, imports, service, import_id)
        evaluate_on_end(instance, imports, result.run_id)
        [pending] = service.stores.webhooks.deliveries(ACTOR.organization_id, hook.id)
        assert (pending.status, pending.attempts) == ("pending", 1)
        context = dg.build_sensor_context(instance=instance, resources={"imports": imports})
        assert "0 delivered" in str(webhook_deliveries(context))  # not due for 10 s
        with service.stores.engine.begin() as connection:  # ... and now the 10 s have passed
            connection.execute(
                sa.update(WebhookDeliveryRow).values(next_attempt_at=pending.created_at)
            )
        assert "1 delivered" in str(webhook_deliveries(context))
        first, second = receiver.received
    assert first.body == second.body and first.headers["webhook-id"] == second.headers["webhook-id"]
    assert json.loads(second.body)["data"]["id"] == import_id
    [delivered] = service.stores.webhooks.deliveries(ACTOR.organization_id, hook.id)
    assert (delivered.status, delivered.attempts) == ("delivered", 2)


def test_a_run_with_only_its_partition_tag_is_announced_too(instance, imports, service):
    """A backfill launched from the asset's page runs the assets with Dagster's tags only."""
    import_id = submit_rows(service, MESSY_FILE)
    with webhook_receiver() as receiver:
        hook = service.stores.webhooks.subscribe(
            ACTOR.organization_id, receiver.url, EVERY_EVENT, None
        )
        instance.add_dynamic_partitions(import_sessions.name, [import_id])
        result = dg.materialize(
            PHASE_ASSETS, partition_key=import_id, instance=instance, resources={"imports": imports}
        )
        assert "imports/organization" not in instance.get_run_by_id(result.run_id).tags
        evaluate_on_end(instance, imports, result.run_id)
        [got] = receiver.received
    event = verified(hook, got)
    assert (event["type"], event["organization_id"]) == ("import.completed", ACTOR.organization_id)
    assert event["data"]["id"] == import_id


def failing_run(instance, imports, service, import_id: str) -> dg.ExecuteInProcessResult:
    """A run of the import whose process phase finds the destination down."""
    down = ImportsResource(
        database_url=imports.database_url, data_dir=imports.data_dir, destination_url=UNREACHABLE
    )
    result = run_import(instance, down, service, import_id)
    assert not result.success
    return result


def test_a_failure_the_sensor_sees_after_a_later_run_finished_the_import_is_still_announced(
    instance, imports, service
):
    """The failure sensor can look only after the operator's next run completed the import (CI
    saw it: a re-execution finished within the sensor's interval). Subscribers hear the failure,
    then the completion; before, they heard "completed" twice and never "failed"."""
    import_id = submit_rows(service, MESSY_FILE)
    with webhook_receiver() as receiver:
        service.stores.webhooks.subscribe(ACTOR.organization_id, receiver.url, EVERY_EVENT, None)
        failed = failing_run(instance, imports, service, import_id)
        again = run_import(instance, imports, service, import_id)
        assert again.success
        evaluate_on_end(instance, imports, failed.run_id)  # late: the import is completed
        evaluate_on_end(instance, imports, again.run_id)
        heard = [
            (json.loads(got.body)["type"], got.headers["webhook-id"]) for got in receiver.received
        ]
    assert [event for event, _ in heard] == ["import.failed", "import.completed"]
    assert len({identifier for _, identifier in heard}) == 2


def test_a_failed_attempt_that_dagster_retries_announces_nothing(tmp_path, imports, service):
    import_id = submit_rows(service, MESSY_FILE)
    overrides = {"run_retries": {"enabled": True, "max_retries": 2}}
    with dg.instance_for_test(overrides=overrides) as instance, webhook_receiver() as receiver:
        service.stores.webhooks.subscribe(ACTOR.organization_id, receiver.url, EVERY_EVENT, None)
        failed = failing_run(instance, imports, service, import_id)  # attempt 1 of 3
        evaluate_on_end(instance, imports, failed.run_id)
        assert service.status(ACTOR, import_id).processing_status == "processing"
        assert receiver.received == []
