"""The upload page: a police download saved to disk as it arrives, queued as an import job and
imported by the scheduler process, never by the web worker."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from casework.audit import Origin
from casework.db import db
from casework.referrals.import_jobs import claim_next_job, record_progress
from casework.referrals.models import ImportJob, Referral
from casework.referrals.police_import import import_police_download
from scheduling import sweeps
from scheduling.sweeps import context
from tests.conftest import audit_rows, csrf_token, post_form, sign_in
from tests.integration.test_queue import ROOT
from tests.police import SAMPLE, police_csv, police_row

UPLOADED = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture
def app_overrides(tmp_path):
    return {"INSTANCE_DIR": tmp_path / "instance", "MAX_UPLOAD_MB": 1}


def uploads(app) -> list[Path]:
    folder = Path(app.config["INSTANCE_DIR"]) / "uploads"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def upload(client, data: bytes, filename: str = "download.csv"):
    return post_form(
        client,
        "/imports/police",
        {"file": (BytesIO(data), filename)},
        content_type="multipart/form-data",
        headers={"User-Agent": "Test browser 1.0"},
    )


def the_job() -> ImportJob:
    db.session.rollback()
    return db.session.scalars(sa.select(ImportJob)).one()


def sweep(app, now: datetime):
    return sweeps.import_uploads(db.session, context(app.config), now=now)


def referral_count() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Referral))


def test_an_upload_is_queued_on_disk_and_imported_only_by_the_scheduler(app, client, team_leader):
    data = (ROOT / SAMPLE).read_bytes()
    response = upload(client, data)

    assert response.status_code == 302
    job = the_job()
    assert response.headers["Location"] == f"/imports/{job.id}"
    assert (job.status, job.filename, job.actor_id) == ("queued", "download.csv", team_leader.id)
    assert (job.ip, job.user_agent) == ("127.0.0.1", "Test browser 1.0")
    saved = Path(job.path)
    assert uploads(app) == [saved]
    assert saved.name != "download.csv" and re.fullmatch(r"[0-9a-f]{32}\.csv", saved.name)
    assert saved.read_bytes() == data
    assert referral_count() == 0
    html = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Waiting to start" in html
    assert "You can leave it: the import carries on" in html

    summary = sweep(app, datetime.now(UTC))

    job = the_job()
    assert job.status == "done" and job.path is None
    assert summary["jobs"] == [{"job": job.id, "status": "done", **job.result}]
    assert uploads(app) == []
    assert referral_count() == job.result["imported"] == 6
    html = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "Import complete" in html
    assert "victim declined referral" in html and ">8<" in html
    # The import is audited as the person who uploaded it, from where they uploaded it.
    (imported,) = audit_rows("referral.import")
    assert (imported.actor_id, imported.ip, imported.user_agent) == (
        team_leader.id,
        "127.0.0.1",
        "Test browser 1.0",
    )
    assert audit_rows("referral.import_queued")[0].actor_id == team_leader.id


def test_scheduler_run_once_imports_uploaded_files(app, client, runner, team_leader):
    upload(client, (ROOT / SAMPLE).read_bytes())

    result = runner.invoke(args=["scheduler", "run-once"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["uploads"]["jobs"][0]["imported"] == 6
    assert the_job().status == "done" and referral_count() == 6


def test_the_running_page_shows_progress(app, client, team_leader):
    rows = [police_row(crime_reference=f"LC-20261120-{n:04d}") for n in range(3000)]
    upload(client, police_csv(*rows))
    job = claim_next_job(db.session, now=datetime.now(UTC))
    record_progress(db.engine, job.id, 1000, "checking")

    html = client.get(f"/imports/{job.id}").get_data(as_text=True)

    assert "Checked 1,000 of about 3,000 lines" in html
    assert 'value="33"' in html


def test_an_upload_larger_than_max_upload_mb_is_refused_and_nothing_is_kept(
    app, client, team_leader
):
    big = police_csv(police_row()) + b"x" * (1024 * 1024 + 1)

    response = upload(client, big)

    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The file is larger than 1 MB" in html
    assert "govuk-error-summary" in html and 'name="file"' in html  # the form, with its error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportJob)) == 0
    assert uploads(app) == []


def test_a_file_just_over_the_limit_is_refused_while_it_is_saved(app, client, team_leader):
    # The request is within MAX_CONTENT_LENGTH (which allows for the form around the file), but
    # the file itself is over 1 MB: refused the same way, and the part written is removed.
    just_over = b"x" * (1024 * 1024 + 10)

    response = upload(client, just_over)

    assert response.status_code == 413
    assert "The file is larger than 1 MB" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportJob)) == 0
    assert uploads(app) == []


def test_a_caseworker_sending_too_much_gets_the_plain_page(app, client, sign_in_as):
    sign_in_as("caseworker")
    token = csrf_token(client, "/account")
    response = client.post(
        "/imports/police",
        data={"csrf_token": token, "file": (BytesIO(b"x" * (2 * 1024 * 1024)), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "larger than 1 MB" in html and 'name="file"' not in html
    assert uploads(app) == []


def test_a_control_character_in_the_file_name_is_not_stored(app, client, team_leader):
    response = upload(client, (ROOT / SAMPLE).read_bytes(), filename="police\x00\x1b.csv")
    assert response.status_code == 302
    assert the_job().filename == "police.csv"


def test_a_right_to_left_override_in_the_file_name_is_not_stored(app, client, team_leader):
    """An override shows the rest of a name backwards on the imports page, so that one file
    can be made to look like another."""
    data = (ROOT / SAMPLE).read_bytes()
    assert upload(client, data, filename="police\u202evsc.csv").status_code == 302
    assert the_job().filename == "policevsc.csv"


def test_a_job_left_running_is_failed_after_the_stuck_time_and_its_owner_can_retry(
    app, client, sign_in_as, create_staff_record
):
    with time_machine.travel(UPLOADED, tick=False):
        team_leader = sign_in_as("team_leader")
        upload(client, (ROOT / SAMPLE).read_bytes())
        job = the_job()
        # A scheduler claimed it and then died: running, last heard of at UPLOADED.
        db.session.execute(
            sa.update(ImportJob)
            .where(ImportJob.id == job.id)
            .values(status="running", updated_at=UPLOADED)
        )
        db.session.commit()

        assert sweep(app, UPLOADED + timedelta(minutes=29))["stuck"] == 0
        assert the_job().status == "running"
        assert sweep(app, UPLOADED + timedelta(minutes=31))["stuck"] == 1

        job = the_job()
        assert job.status == "failed" and "interrupted" in job.error
        assert Path(job.path).is_file()  # kept, so it can be tried again
        html = client.get(f"/imports/{job.id}").get_data(as_text=True)
        assert "interrupted" in html and "Try again" in html

        other = create_staff_record("team_leader")
        stranger = app.test_client()
        sign_in(stranger, other.email)
        token = csrf_token(stranger, "/account")
        refused = stranger.post(f"/imports/{job.id}/retry", data={"csrf_token": token})
        assert refused.status_code == 404
        assert the_job().status == "failed"

        response = post_form(
            client, f"/imports/{job.id}/retry", {}, token_from=f"/imports/{job.id}"
        )
        assert response.status_code == 302
        assert the_job().status == "queued"
        assert audit_rows("referral.import_retried")[0].actor_id == team_leader.id

        sweep(app, UPLOADED + timedelta(minutes=32))
        assert the_job().status == "done" and referral_count() == 6
        assert uploads(app) == []


def test_a_job_interrupted_after_its_commit_imports_each_referral_once_when_retried(
    app, client, sign_in_as
):
    data = (ROOT / SAMPLE).read_bytes()
    with time_machine.travel(UPLOADED, tick=False):
        sign_in_as("team_leader")
        upload(client, data)
        # The scheduler claimed the job and committed the import, then died before it could
        # record that the job was done.
        job = claim_next_job(db.session, now=UPLOADED)
        import_police_download(
            db.session,
            Path(job.path).read_bytes(),
            filename=job.filename,
            received_at=job.created_at,
            calendar=context(app.config).calendar,
            origin=Origin(),
            now=UPLOADED,
        )
        assert referral_count() == 6 and the_job().status == "running"

        sweep(app, UPLOADED + timedelta(minutes=31))
        assert the_job().status == "failed"
        post_form(client, f"/imports/{job.id}/retry", {}, token_from=f"/imports/{job.id}")
        sweep(app, UPLOADED + timedelta(minutes=32))

    job = the_job()
    assert job.status == "done"
    assert (job.result["imported"], job.result["duplicates"]) == (0, 6)
    db.session.rollback()
    references = db.session.scalars(sa.select(Referral.crime_reference)).all()
    assert len(references) == len(set(references)) == 6


def test_a_done_job_cannot_be_retried(app, client, team_leader):
    upload(client, (ROOT / SAMPLE).read_bytes())
    job = the_job()
    sweep(app, datetime.now(UTC))

    response = post_form(client, f"/imports/{job.id}/retry", {}, token_from=f"/imports/{job.id}")

    assert response.status_code == 302
    assert "Only an import that failed can be tried again" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert the_job().status == "done" and referral_count() == 6


def test_an_unreadable_file_fails_with_its_reason_and_is_not_kept(app, client, team_leader):
    upload(client, b"name,town\nAlex,Leicester\n")
    job = the_job()

    sweep(app, datetime.now(UTC))

    job = the_job()
    assert job.status == "failed" and "missing column" in job.error
    assert job.path is None and uploads(app) == []
    html = client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "missing column" in html and "Try again" not in html and "Try another file" in html


def test_two_schedulers_claiming_at_once_never_run_the_same_job(app, client, team_leader):
    upload(client, (ROOT / SAMPLE).read_bytes())
    start = threading.Barrier(2)
    claimed: list[int | None] = []

    def claim():
        with app.app_context():
            start.wait()
            job = claim_next_job(db.session, now=datetime.now(UTC))
            claimed.append(job and job.id)
            db.session.remove()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(claimed, key=lambda c: c is None) == [the_job().id, None]
    assert the_job().status == "running"
