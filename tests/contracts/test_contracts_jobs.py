"""A version is work recorded in the database (apps.core.jobs): one delivery claims it, a lost message
or a dead worker is picked up by the sweeper, and a spec that kills its worker every time is given up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.contracts import pipeline, services
from apps.contracts.models import Contract, ContractVersion
from apps.core.kit import kit_for

pytestmark = pytest.mark.django_db

SPEC = b'{"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, "paths": {}}'


@pytest.fixture
def version(project, users):
    contract = kit_for(Contract).create(project=project, actor=users["owner"], values={"slug": "x", "name": "X"})
    return services.contract_version_upload(contract=contract, actor=users["owner"], data=SPEC)


def test_a_version_is_processed_once_however_often_it_is_delivered(version):
    assert pipeline.contract_version_process(version_id=version.pk) == "valid"
    assert pipeline.contract_version_process(version_id=version.pk) == "valid"
    version.refresh_from_db()
    assert version.attempts == 1


def test_a_lost_message_is_sent_again_by_the_sweeper(version):
    pipeline.contract_version_enqueue_failed(version_id=version.pk)  # the broker refused it
    assert pipeline.contract_versions_sweep() == [version.pk]
    assert pipeline.contract_versions_sweep() == []  # just re-sent: not again until the resend delay


def test_a_dead_workers_version_is_handed_out_again_then_given_up(version, settings):
    for attempt in range(1, settings.CONTRACTS_MAX_ATTEMPTS + 1):
        ContractVersion.objects.filter(pk=version.pk).update(
            status="processing", attempts=attempt, started_at=timezone.now() - timedelta(hours=1))
        swept = pipeline.contract_versions_sweep()
        version.refresh_from_db()
        if attempt < settings.CONTRACTS_MAX_ATTEMPTS:
            assert swept == [version.pk] and version.status == "queued"
    assert version.status == "invalid" and "Given up" in version.errors[0]["message"]
