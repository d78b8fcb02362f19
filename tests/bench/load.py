"""Load run: 20 simulated people on a production server at company scale.

    DATABASE_URL=postgres://... make load            # 20 users, 60 s
    DATABASE_URL=postgres://... make load ARGS="--users 20 --seconds 120"

Starts gunicorn (4 workers, DEBUG off, no control socket) on a loopback port against
DATABASE_URL (load it first: ``make bench-scale`` seeds an empty database), logs in 20
people of the scale company (reps, managers, directors, the admin), has each open
their pages once unmeasured (a long-running server's workers have compiled their
templates and imported their modules), then walk their daily pages and API calls with
1-4 s between clicks, until the time is up or the request budget is spent. Prints p50/p95/p99 per page and the errors, then stops the
server. Loopback only; it stops by itself.
"""

import argparse
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "scale-pass-2026"  # salesmgmt.demo.scale.company.PASSWORD
HOST = "127.0.0.1"

REP = ["/", "/dashboard/", "/plans/", "/activities/", "/goals/", "/tasks/"]
REP_API = ["/api/v1/activities/?page=1", "/api/v1/goals/", "/api/v1/dashboards/me/"]
MANAGER = ["/dashboard/team/", "/plans/team/", "/goals/", "/pipeline/", "/deals/", "/kpis/"]
MANAGER_API = ["/api/v1/activities/?page=1", "/api/v1/deals/?page=1"]
DIRECTOR = ["/company/", "/funnel/", "/customers/", "/reviews/division/", "/deals/"]
ADMIN = ["/company/", "/reports/company/", "/deals/", "/customers/", "/funnel/"]


def people(users: int) -> list[tuple[str, list[str]]]:
    """(username, the paths they walk): 12 reps, 5 managers, 2 directors, the admin."""
    cast = []
    for i in range(users):
        slot = i % 20
        if slot < 12:
            cast.append((f"scale.rep.{1 + i * 97 % 1900:05d}", REP + REP_API))
        elif slot < 17:
            cast.append((f"scale.manager.{1 + (i * 7) % 120:03d}", MANAGER + MANAGER_API))
        elif slot < 19:
            cast.append((f"scale.director.{1 + i % 10:02d}", DIRECTOR))
        else:
            cast.append(("scale.admin", ADMIN))
    return cast


class Browser:
    """One person's keep-alive connection with their cookies (set by hand: the production
    cookies are Secure, and this is plain http on loopback)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()  # the server closed a kept-alive connection: once more
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def log_in(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.decode()}
        status, _ = self.request("POST", "/accounts/login/", urlencode(form))
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not log in (HTTP {status})")


def walk(port, username, paths, seconds, ready, budget, samples, errors, lock, seed):
    """Log in, open each path once unmeasured, wait for everyone, then walk for ``seconds``."""
    rng = random.Random(seed)
    browser = Browser(port)
    browser.log_in(username)
    for path in paths:  # warm-up, not measured: each worker's first pass (templates, imports)
        browser.request("GET", path)
    ready.wait()
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        path = rng.choice(paths)
        began = time.perf_counter()
        try:
            status, _ = browser.request("GET", path)
        except Exception as exc:  # a refused or reset connection is an error, counted
            status = repr(exc)
        elapsed = (time.perf_counter() - began) * 1000
        key = path.split("?")[0]
        with lock:
            samples.setdefault(key, []).append(elapsed)
            if status != 200:
                errors.append((username, path, status))
        time.sleep(rng.uniform(1, 4))  # a person reads the page before the next click


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def serve(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "load-only-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "AXES_ENABLED": "0",
        "API_THROTTLE_USER": "1000000/min",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="salesmgmt-load-static-"),
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    gunicorn = str(Path(python).with_name("gunicorn"))
    return subprocess.Popen(
        [
            gunicorn,
            "salesmgmt.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "4",
            "--no-control-socket",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_ready(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": f"{HOST}:{port}"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--requests", type=int, default=5000, help="Budget over all users.")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("make load needs the scale database: DATABASE_URL=postgres://...")
    server = serve(args.port)
    try:
        wait_ready(args.port)
        samples, errors, lock, budget = {}, [], threading.Lock(), [args.requests]
        cast = people(args.users)
        ready = threading.Barrier(len(cast) + 1)
        threads = [
            threading.Thread(
                target=walk,
                args=(
                    args.port,
                    name,
                    paths,
                    args.seconds,
                    ready,
                    budget,
                    samples,
                    errors,
                    lock,
                    i,
                ),
                daemon=True,
            )
            for i, (name, paths) in enumerate(cast)
        ]
        for t in threads:
            t.start()
        ready.wait(300)  # everyone logged in and warmed up
        began = time.monotonic()
        for t in threads:
            t.join(args.seconds + 120)
        took = time.monotonic() - began
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    total = sum(len(v) for v in samples.values())
    print(
        f"{args.users} users, {took:.0f} s, {total} requests ({total / took:.1f}/s), "
        f"{len(errors)} errors; gunicorn 4 workers, DEBUG off"
    )
    print(f"\n{'page':28} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    slow = []
    for path in sorted(samples):
        values = samples[path]
        p95 = percentile(values, 95)
        print(
            f"{path:28} {len(values):5d} {statistics.median(values):8.0f} {p95:8.0f}"
            f" {percentile(values, 99):8.0f}"
        )
        if p95 >= 1000:
            slow.append(path)
    everything = [v for values in samples.values() for v in values]
    if everything:
        print(
            f"{'all':28} {len(everything):5d} {statistics.median(everything):8.0f}"
            f" {percentile(everything, 95):8.0f} {percentile(everything, 99):8.0f}"
        )
    for name, path, status in errors[:10]:
        print(f"error: {name} {path} -> {status}")
    print(f"\np95 under 1 s on every page: {'yes' if not slow else 'no: ' + ', '.join(slow)}")
    return 1 if errors or slow else 0


if __name__ == "__main__":
    sys.exit(main())
