from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from io import StringIO
from pathlib import Path
from typing import IO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fraudhub.cases.models import Case
from fraudhub.core.actors import Actor
from fraudhub.core.management.commands.serve import heartbeat_dir, server_shape
from fraudhub.core.models import ApiKey, User
from fraudhub.reports.models import Report
from tests.conftest import ApiClient, filed_now, make_user

FRAUDHUB = [sys.executable, "-m", "fraudhub.cli"]


@pytest.mark.django_db
def test_apikey_create_prints_the_key_alone_on_the_last_line_and_it_works() -> None:
    make_user("reviewer", "lan")
    out = StringIO()
    call_command("apikey", "create", "--name", "bank-x", "--role", "reviewer", "--user", "lan",
                 stdout=out, stderr=StringIO())
    key = out.getvalue().strip().splitlines()[-1]
    assert key.startswith("fh_") and " " not in key
    stored = ApiKey.objects.get(name="bank-x")
    assert key not in (stored.key_hash, stored.prefix)  # only a hash is kept
    response = ApiClient(key).get("/api/v1/cases")
    assert response.status_code == 200
    call_command("apikey", "revoke", stored.prefix, stdout=StringIO())
    assert ApiClient(key).get("/api/v1/cases").status_code == 401


@pytest.mark.django_db
def test_apikey_create_refuses_an_unknown_organization() -> None:
    with pytest.raises(CommandError):
        call_command("apikey", "create", "--name", "x", "--role", "partner", "--org", "Nope",
                     stdout=StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), [
    (["--expires-days", "-1"], "--expires-days must be from 1"),
    (["--expires-days", "3000000"], "--expires-days must be from 1"),
    (["--name", "a\udcffb"], "--name is not valid UTF-8"),  # a byte 0xff in argv
    (["--name", "x" * 101], "at most 100 characters"),
])
def test_apikey_create_refuses_bad_arguments_with_a_clear_error(args: list[str],
                                                                message: str) -> None:
    base = {"--name": "bank-y", "--role": "partner"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    argv = [item for pair in {**base, **given}.items() for item in pair]
    with pytest.raises(CommandError, match=message):
        call_command("apikey", "create", *argv, stdout=StringIO(), stderr=StringIO())
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_demo_loads_once_into_an_empty_database() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    assert "Demo data loaded" in out.getvalue()
    assert "reviewer" in out.getvalue()
    reports, cases, users = Report.objects.count(), Case.objects.count(), User.objects.count()
    assert reports > 20 and cases < reports and users >= 6
    # Every queue of the console has something to show: an appeal, agency requests and a
    # delisting request (the owner of a spoofed landline).
    from fraudhub.agencies.models import AgencyRequest
    from fraudhub.cases.models import Appeal
    from fraudhub.indicators.models import DelistingRequest
    assert Appeal.objects.exists() and AgencyRequest.objects.count() == 2
    assert list(DelistingRequest.objects.values_list("indicator__value", "status")) == [
        ("+842438234567", "open")]
    again = StringIO()
    call_command("demo", stdout=again)
    assert "not empty" in again.getvalue()
    assert Report.objects.count() == reports


@pytest.mark.django_db
def test_demo_forced_over_loaded_demo_data_is_refused_with_a_clear_error() -> None:
    call_command("demo", stdout=StringIO())
    reports = Report.objects.count()
    with pytest.raises(CommandError, match="demo data is loaded already"):
        call_command("demo", "--force", stdout=StringIO())
    assert Report.objects.count() == reports


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRAUDHUB_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update({"FRAUDHUB_DATA_DIR": str(tmp_path / "var"), **extra})
    return env


def test_migrate_makes_a_data_directory_that_does_not_exist_yet(tmp_path: Path) -> None:
    # A secret key in the environment: nothing else would make the directory first.
    data_dir = tmp_path / "srv" / "fraudhub"
    env = _env(tmp_path, FRAUDHUB_DATA_DIR=str(data_dir),
               FRAUDHUB_SECRET_KEY=secrets.token_urlsafe(60))
    result = subprocess.run([*FRAUDHUB, "migrate", "--noinput", "-v0"], env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(data_dir / "fraudhub.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 10


def test_the_site_starts_without_a_warning_before_collectstatic(tmp_path: Path) -> None:
    # What `make run` and `serve` load: the WSGI application and its middleware. STATIC_ROOT is
    # not made until `collectstatic`; the site's files are served by the finders meanwhile.
    load = ("from fraudhub.wsgi import application; "
            "from whitenoise.base import WhiteNoise; "
            "WhiteNoise(application, root='/nonexistent-fraudhub-root')")
    result = subprocess.run([sys.executable, "-W", "default", "-c", load],
                            env=_env(tmp_path, FRAUDHUB_SECRET_KEY=secrets.token_urlsafe(60)),
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert "No directory at: " + str(tmp_path / "var" / "static") not in result.stderr
    # Only that one directory's warning is silenced: another missing root still warns.
    assert "No directory at: /nonexistent-fraudhub-root" in result.stderr


def _production_recipe() -> dict[str, str]:
    """The variables docs/configuration.md's production recipe exports (its `export` lines)."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text()
    recipe = text.split("## Production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    exported = recipe.split("export ", 1)[1].split("\nfraudhub ", 1)[0]
    return dict(word.split("=", 1) for word in exported.replace("\\\n", " ").split())


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    recipe = _production_recipe()
    assert {"FRAUDHUB_HTTPS", "FRAUDHUB_BASE_URL", "FRAUDHUB_EMAIL_BACKEND"} <= set(recipe)
    # SQLite in the test's directory: the check reads no database.
    recipe.pop("DATABASE_URL")
    env = _env(tmp_path, **{**recipe, "FRAUDHUB_SECRET_KEY": secrets.token_urlsafe(60)})
    result = subprocess.run([*FRAUDHUB, "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_about_the_development_defaults(tmp_path: Path) -> None:
    env = _env(tmp_path, FRAUDHUB_SECRET_KEY=secrets.token_urlsafe(60), FRAUDHUB_HTTPS="1",
               FRAUDHUB_ALLOWED_HOSTS="fraudhub.example.org", FRAUDHUB_REQUIRE_2FA="0")
    result = subprocess.run([*FRAUDHUB, "check", "--deploy"],
                            env=env, capture_output=True, text=True, timeout=120)
    # Warnings only: the command succeeds, as `make run` needs it to.
    assert result.returncode == 0, result.stdout + result.stderr
    found = set(re.findall(r"\((fraudhub\.[a-z]+\.W\d+)\)", result.stderr + result.stdout))
    assert found == {"fraudhub.core.W001", "fraudhub.core.W002", "fraudhub.core.W003"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(env: dict[str, str], *options: str, workers: int = 1, output: IO[bytes] | None = None
           ) -> tuple[subprocess.Popen[bytes], int]:
    """`fraudhub serve` (one process) on a free port, once /healthz answers; and that port."""
    subprocess.run([*FRAUDHUB, "migrate", "--noinput", "-v0"], env=env, check=True, timeout=180)
    port = _free_port()
    server = subprocess.Popen(
        [*FRAUDHUB, "serve", "--port", str(port), "--workers", str(workers), *options],
        env=env, stdout=output or subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    body = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and body is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                body = json.loads(r.read())
        except OSError:
            time.sleep(0.3)
    if body != {"status": "ok"}:
        server.kill()
        server.wait(timeout=30)
        raise AssertionError(f"/healthz answered {body!r}")
    return server, port


def test_serve_answers_healthz_after_checking_the_database(tmp_path: Path) -> None:
    server, port = _serve(_env(tmp_path))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            assert json.loads(r.read()) == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize(("options", "reminded"), [((), True), (("--with-worker",), False)])
def test_serve_says_that_a_worker_files_the_reports_unless_it_runs_one(
    tmp_path: Path, options: tuple[str, ...], reminded: bool,
) -> None:
    with (tmp_path / "serve.out").open("w+b") as output:
        server, _port = _serve(_env(tmp_path), *options, output=output)
        server.terminate()
        server.wait(timeout=30)
        output.seek(0)
        printed = output.read().decode()
    assert "FraudHub listening on" in printed
    assert ("filed into their cases by `fraudhub worker`" in printed) is reminded


def _listening_sockets(port: int) -> int:
    """How many sockets listen on 127.0.0.1:``port`` (state 0A in /proc/net/tcp)."""
    local = f"0100007F:{port:04X}"
    with open("/proc/net/tcp", encoding="ascii") as table:
        return sum(1 for line in table.readlines()[1:]
                   if line.split()[1] == local and line.split()[3] == "0A")


@pytest.mark.parametrize(("options", "sockets"), [((), 2), (("--no-reuse-port",), 1)])
def test_each_server_process_listens_on_its_own_socket_unless_told_not_to(
        tmp_path: Path, options: tuple[str, ...], sockets: int) -> None:
    # One socket per process: the kernel spreads new connections among them, instead of the
    # first process to wake taking every connection that waits on a shared one.
    server, port = _serve(_env(tmp_path), *options, workers=2)
    try:
        deadline = time.monotonic() + 30
        while _listening_sockets(port) < sockets and time.monotonic() < deadline:
            time.sleep(0.2)  # the second process may still be starting
        assert _listening_sockets(port) == sockets
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("reuse_port", [False, True])
def test_serve_refuses_a_port_something_listens_on(monkeypatch: pytest.MonkeyPatch,
                                                   reuse_port: bool) -> None:
    from django.core.management.base import CommandError
    from gunicorn.app.base import BaseApplication

    started: list[bool] = []
    monkeypatch.setattr(BaseApplication, "run", lambda self: started.append(True))
    with socket.socket() as other:
        if reuse_port:  # another server with a socket per process, say an old one left running
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(CommandError, match=f"cannot listen on 127.0.0.1:{port}"):
            call_command("serve", "--port", str(port), stdout=StringIO())
    assert started == []


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_serve_refuses_what_is_not_a_port(tmp_path: Path, port: str) -> None:
    result = subprocess.run([*FRAUDHUB, "serve", "--port", port], env=_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "not a TCP port" in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_port_0_with_a_socket_per_process() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--no-reuse-port"):
        call_command("serve", "--port", "0", stdout=StringIO())


def test_a_stopping_server_writes_the_rate_limit_counts_it_held(tmp_path: Path) -> None:
    # An hour between flushes: the lookups are counted in the server's memory only, until it
    # stops (SIGTERM, as a deployment stops it).
    env = _env(tmp_path, FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS="3600",
               FRAUDHUB_LOOKUP_RATE_LIMIT="1000")
    server, port = _serve(env)
    try:
        for _ in range(5):
            with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/lookup?value=0912345678", timeout=10) as r:
                assert r.status == 200
        assert _lookup_counts(tmp_path) == 0
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert _lookup_counts(tmp_path) == 5


def _lookup_counts(tmp_path: Path) -> int:
    [database] = (tmp_path / "var").glob("*.sqlite3")
    with sqlite3.connect(database) as db:
        [(total,)] = db.execute("SELECT COALESCE(SUM(count), 0) FROM core_ratelimitcounter "
                                "WHERE key LIKE 'lookup:%'").fetchall()
    return int(total)


@pytest.mark.parametrize(("cores", "shape"), [
    (1, (1, 16)), (2, (2, 16)), (4, (4, 16)), (8, (8, 8)), (16, (16, 4)), (64, (64, 4)),
])
def test_serve_defaults_to_a_process_per_core_within_the_connection_budget(
    cores: int, shape: tuple[int, int],
) -> None:
    assert server_shape(cores=cores, sqlite=False) == shape


def test_serve_takes_the_processes_and_threads_asked_for() -> None:
    assert server_shape(cores=8, sqlite=False, workers=3, threads=2) == (3, 2)
    assert server_shape(cores=8, sqlite=False, workers=32) == (32, 4)
    assert server_shape(cores=8, sqlite=True) == (2, 4)
    assert server_shape(cores=8, sqlite=True, threads=1) == (2, 1)


def test_heartbeat_files_go_to_a_writable_memory_directory_when_there_is_one(
        tmp_path: Path) -> None:
    assert heartbeat_dir(str(tmp_path)) == str(tmp_path)
    assert heartbeat_dir(str(tmp_path / "missing")) is None
    a_file = tmp_path / "file"
    a_file.write_text("")
    assert heartbeat_dir(str(a_file)) is None


@pytest.mark.skipif(not os.path.isdir("/dev/shm") or not os.access("/dev/shm", os.W_OK),
                    reason="no writable /dev/shm on this machine")
def _open_files(pid: int) -> list[str]:
    """What the descriptors of a running process name; one it closes meanwhile is left out."""
    targets = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):
            targets.append(os.readlink(fd))
    return targets


def test_server_processes_keep_their_heartbeat_in_dev_shm(tmp_path: Path) -> None:
    server, _port = _serve(_env(tmp_path))
    try:
        with open(f"/proc/{server.pid}/task/{server.pid}/children", encoding="ascii") as fh:
            [worker] = [int(pid) for pid in fh.read().split()]
        # The heartbeat file is deleted once opened: only the process's descriptor names it.
        targets = _open_files(worker)
        assert any(t.startswith("/dev/shm/") for t in targets), targets
        assert not any(t.startswith(tempfile.gettempdir() + "/wgunicorn-") for t in targets)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_worker_batch_runs_the_due_jobs_even_when_housekeeping_fails(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    from django_tasks_db.models import DBTaskResult

    from fraudhub.core.management.commands import worker
    from fraudhub.reports.services import ReportInput, report_create

    def failing() -> None:
        raise RuntimeError("a table stayed locked")

    monkeypatch.setattr(worker, "run_housekeeping", failing)
    filed_now(report_create(actor=Actor.anonymous(ip="203.0.113.7"), data=ReportInput(
        target_kind="phone", target="0912 345 678", platform="",
        fraud_type="investment_stock_crypto", good_faith=True,
        description="Gọi giả ngân hàng.", reporter_email="r@example.org")))
    assert DBTaskResult.objects.filter(status="READY").exists()
    call_command("worker", "--batch", stdout=StringIO(), stderr=StringIO())
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert "housekeeping failed" in caplog.text


@pytest.mark.parametrize(("extra", "message"), [
    ({"DATABASE_URL": "foo://bar/baz"}, "DATABASE_URL"),
    ({"DATABASE_URL": "postgres://x:y@[::1"}, "DATABASE_URL"),
    ({"DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing"}, "the database cannot be used"),
    ({"FRAUDHUB_DATA_DIR": "/dev/null/var"}, "FRAUDHUB_DATA_DIR"),
    ({"FRAUDHUB_WEBHOOK_MAX_ATTEMPTS": "many"}, "FRAUDHUB_WEBHOOK_MAX_ATTEMPTS"),
    # Settings that take fractions (and the proxy count) once failed with a traceback.
    ({"FRAUDHUB_REDIS_TIMEOUT_SECONDS": "half"}, "FRAUDHUB_REDIS_TIMEOUT_SECONDS"),
    ({"FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS": "1s"}, "FRAUDHUB_RATE_LIMIT_FLUSH_SECONDS"),
    ({"FRAUDHUB_TRUSTED_FLAGGER_MIN_ACCURACY": "70%"}, "FRAUDHUB_TRUSTED_FLAGGER_MIN_ACCURACY"),
    ({"FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS": "10s"}, "FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS"),
    ({"FRAUDHUB_WEBHOOK_BACKOFF_SECONDS": "30s"}, "FRAUDHUB_WEBHOOK_BACKOFF_SECONDS"),
    ({"FRAUDHUB_TRUST_X_FORWARDED_FOR": "nginx"}, "FRAUDHUB_TRUST_X_FORWARDED_FOR"),
    ({}, "fraudhub migrate"),  # a data directory whose database was never made
])
def test_a_command_in_a_bad_environment_says_what_is_wrong_without_a_traceback(
        tmp_path: Path, extra: dict[str, str], message: str) -> None:
    result = subprocess.run([*FRAUDHUB, "apikey", "list"], env=_env(tmp_path, **extra),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert message in result.stderr


def test_the_platform_name_of_authority_answers_is_read_from_the_environment(
        tmp_path: Path) -> None:
    result = subprocess.run(
        [*FRAUDHUB, "shell", "-c",
         "from django.conf import settings; print(settings.FRAUDHUB_PLATFORM_NAME)"],
        env=_env(tmp_path, FRAUDHUB_PLATFORM_NAME="Công ty X"), capture_output=True,
        text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Công ty X"
