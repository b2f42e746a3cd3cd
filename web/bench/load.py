"""Load run of ``POST /calculate`` on the real server (``mesaides serve``), on this machine only.

    python web/bench/load.py                      # starts the server, 2000 requests, 8 at a time
    python web/bench/load.py --requests 5000 --concurrency 32 --workers 2
    python web/bench/load.py --url http://127.0.0.1:8000   # a server already running here

Prints requests per second and the p50/p90/p99 latencies. The body is a household as the
questionnaire sends it (a single parent in Lille with two children, 900 € wages and 550 € rent
over 2024-01 to the current month) asking for every aide the deployment shows. The run is
bounded: a fixed number of requests, each with a timeout, to 127.0.0.1 only. Goal on a 2-core
machine: at least 200 requests per second with a p99 under 100 ms.

Then, pages under load: ``--saturation`` connections send large valid requests (the household
``--large-households`` times in one situation) to ``/calculate`` without pause for
``--pages-seconds``, while two clients load the home page (``GET /``) and a saved situation's
results page (``GET /s/<token>``, which computes every aide and its explanation) one after the
other. Prints the pages' p50/p99 latencies alone, then under that load. Goal: p99 under 100 ms
for the pages while the API is saturated.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from web_scenarios import lille_situation  # the household the web tests describe

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TIMEOUT = 10.0


def household(aides: list[dict], today: dt.date) -> dict:
    """The web tests' Lille household, asking for every aide the deployment shows."""
    situation = lille_situation(today)
    month = f"{today.year:04d}-{today.month:02d}"
    plural = {"famille": "familles", "individu": "individus", "menage": "menages", "foyer_fiscal": "foyers_fiscaux"}
    for aide in aides:
        if not aide["shown"]:
            continue
        table = situation[plural[aide["entity"]]]
        period = str(today.year) if aide["period"] == "year" else month
        for obj in table.values():
            obj[aide["name"]] = {period: None}
    return situation


# ---- A minimal keep-alive HTTP/1.1 client (cheap, so that the server gets the CPU) ----------------


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
        if chunked:
            data = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
        else:
            data = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


async def run(host: str, port: int, body: bytes, requests: int, concurrency: int, warmup: int) -> dict:
    latencies: list[float] = []
    errors = 0
    remaining = requests

    async def worker() -> None:
        nonlocal remaining, errors
        conn = Connection(host, port)
        try:
            for _ in range(warmup):
                await asyncio.wait_for(conn.request("POST", "/calculate", body), TIMEOUT)
            await start.wait()
            while remaining > 0:
                remaining -= 1
                t0 = time.perf_counter()
                try:
                    status, _ = await asyncio.wait_for(conn.request("POST", "/calculate", body), TIMEOUT)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    await conn.close()
                    continue
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
        finally:
            await conn.close()

    start = asyncio.Event()
    tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
    await asyncio.sleep(0.5 + 0.05 * concurrency * warmup)
    t0 = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": elapsed,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
    }


# ---- Pages while the API is saturated ------------------------------------------------------------

ROLES_PLURAL = ("individus", "familles", "foyers_fiscaux", "menages")
QUESTIONNAIRE_ANSWERS = {  # the Lille household, as a person types it
    "foyer.situation_familiale": "celibataire",
    "foyer.nb_enfants": "2",
    "demandeur.date_naissance": "14/03/1992",
    "demandeur.activite": "actif",
    "demandeur.salaire_net": "900",
    "demandeur.pensions_alimentaires_percues": "0",
    "enfant1.enfant_date_naissance": "01/09/2022",
    "enfant2.enfant_date_naissance": "01/09/2020",
    "menage.depcom": "Roubaix",
    "menage.statut_occupation_logement": "locataire_vide",
    "menage.loyer": "550",
}


def large_body(aides: list[dict], today: dt.date, households: int) -> bytes:
    """One situation holding ``households`` copies of the Lille household (ids renamed), each
    asking for every aide: a large request, valid, as a social worker's batch would be."""
    one = household(aides, today)
    merged: dict[str, dict] = {plural: {} for plural in ROLES_PLURAL}
    for k in range(households):
        renamed = {ident: f"{ident}_{k}" for ident in one["individus"]}
        for plural in ROLES_PLURAL:
            for ident, obj in one.get(plural, {}).items():
                copy = {}
                for key, value in obj.items():
                    if isinstance(value, list):
                        value = [renamed.get(v, v) for v in value]
                    copy[key] = value
                merged[plural][renamed.get(ident, f"{ident}_{k}")] = copy
    return json.dumps(merged).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def saved_results_path(base: str) -> str:
    """Answer the questionnaire through its forms and save it: the saved results' path."""
    import html
    import re

    opener = urllib.request.build_opener(_NoRedirect)

    def call(path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Origin": base} if data is not None else {}
        try:
            with opener.open(urllib.request.Request(base + path, data=body, headers=headers), timeout=60) as r:
                return r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), dict(exc.headers)

    def hidden(page: str, action: str, name: str) -> str:
        form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page, re.S).group(0)
        found = re.search(rf'name="{name}" value="([^"]*)"', form)
        return html.unescape(found.group(1)) if found else ""

    _, page, _ = call("/simulation")
    for _ in range(10):
        step = re.search(r'name="etape" value="([^"]+)"', page)
        if step is None:
            break
        names = set(re.findall(r'name="((?:foyer|menage|demandeur|enfant\d+)\.[a-z_]+)"', page))
        data = {
            "etape": step.group(1),
            "etat": hidden(page, "/simulation", "etat"),
            "action": "suivant",
            "csrf": hidden(page, "/simulation", "csrf"),
            **{k: v for k, v in QUESTIONNAIRE_ANSWERS.items() if k in names},
        }
        if "menage.depcom_choix" in page:
            data["menage.depcom_choix"] = re.search(r'name="menage.depcom_choix" value="([^"]+)"', page).group(1)
        status, page, _ = call("/simulation", data)
        if status != 200:
            raise SystemExit(f"the questionnaire answered {status} on step {step.group(1)}")
    status, _, headers = call(
        "/enregistrer", {"etat": hidden(page, "/enregistrer", "etat"), "csrf": hidden(page, "/enregistrer", "csrf")}
    )
    if status != 303:
        raise SystemExit(f"saving the situation answered {status}")
    return headers["location"].split("?")[0]


async def pages_under_load(
    host: str, port: int, pages: list[str], body: bytes, saturation: int, seconds: float
) -> dict:
    """The pages' latencies alone, then while ``saturation`` connections keep ``/calculate``
    busy with ``body``; and the API's figures meanwhile."""

    async def probe(path: str, stop: asyncio.Event, out: list[float], failures: list[int]) -> None:
        conn = Connection(host, port)
        try:
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    status, _ = await asyncio.wait_for(conn.request("GET", path), TIMEOUT)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    failures.append(0)
                    await conn.close()
                    continue
                out.append(time.perf_counter() - t0)
                if status != 200:
                    failures.append(status)
                await asyncio.sleep(0.02)
        finally:
            await conn.close()

    async def saturate(stop: asyncio.Event, out: list[float], failures: list[int]) -> None:
        conn = Connection(host, port)
        try:
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    status, _ = await asyncio.wait_for(conn.request("POST", "/calculate", body), 60)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    failures.append(0)
                    await conn.close()
                    continue
                out.append(time.perf_counter() - t0)
                if status != 200:
                    failures.append(status)
        finally:
            await conn.close()

    async def measure(load: bool) -> dict:
        stop = asyncio.Event()
        api: list[float] = []
        api_failures: list[int] = []
        tasks = [asyncio.create_task(saturate(stop, api, api_failures)) for _ in range(saturation if load else 0)]
        if load:
            await asyncio.sleep(2.0)  # the API is busy before the pages are measured
            api.clear()
        per_page = {path: ([], []) for path in pages}
        tasks += [asyncio.create_task(probe(path, stop, *per_page[path])) for path in pages]
        t0 = time.perf_counter()
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
        out = {path: {**_percentiles(lat), "errors": len(f)} for path, (lat, f) in per_page.items()}
        if load:
            out["/calculate (large)"] = {
                **_percentiles(api),
                "errors": len(api_failures),
                "rps": len(api) / elapsed if elapsed else 0.0,
            }
        return out

    return {"alone": await measure(False), "api_saturated": await measure(True)}


def _percentiles(latencies: list[float]) -> dict:
    latencies = sorted(latencies)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"n": len(latencies), "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1.0)}


# ---- The server ------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (the server's workers), from /proc."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int, instance: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    script = Path(sys.executable).with_name("mesaides")
    command = [str(script)] if script.exists() else [shutil.which("mesaides") or "mesaides"]
    env = {**os.environ, "MESAIDES_INSTANCE": str(instance)}
    env.pop("MESAIDES_DATABASE_URL", None)
    log = open(instance / "server.log", "wb")
    process = subprocess.Popen(
        [*command, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped:\n{(instance / 'server.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    return process, port


async def get_json(host: str, port: int, path: str):
    conn = Connection(host, port)
    try:
        status, data = await asyncio.wait_for(conn.request("GET", path), TIMEOUT)
    finally:
        await conn.close()
    if status != 200:
        raise SystemExit(f"GET {path}: HTTP {status}")
    return json.loads(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="measured requests (default 2000)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes when this script starts it (default 2)"
    )
    parser.add_argument("--url", help="an already running server on this machine, e.g. http://127.0.0.1:8000")
    parser.add_argument(
        "--pages-seconds",
        type=float,
        default=20.0,
        help="seconds of pages measured alone, then as long under API load (default 20; 0: skip)",
    )
    parser.add_argument(
        "--saturation", type=int, default=8, help="connections sending large requests meanwhile (default 8)"
    )
    parser.add_argument(
        "--large-households", type=int, default=10, help="households in each large request (default 10)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 100_000 or not 1 <= args.concurrency <= 256:
        raise SystemExit("--requests must be 1..100000 and --concurrency 1..256")
    if not 0 <= args.pages_seconds <= 600 or not 1 <= args.saturation <= 256 or not 1 <= args.large_households <= 500:
        raise SystemExit("--pages-seconds must be 0..600, --saturation 1..256 and --large-households 1..500")

    process = None
    tmp = None
    if args.url:
        parts = urlsplit(args.url)
        if parts.hostname not in LOOPBACK:
            raise SystemExit("this benchmark only targets a server on this machine (127.0.0.1)")
        host, port = parts.hostname, parts.port or 80
    else:
        tmp = tempfile.TemporaryDirectory(prefix="mesaides-bench-")
        process, port = start_server(args.workers, Path(tmp.name))
        host = "127.0.0.1"
    try:
        load_before = os.getloadavg()[0]
        aides = asyncio.run(get_json(host, port, "/aides"))["aides"]
        body = json.dumps(household(aides, dt.date.today())).encode()
        warmup = 3
        cpu_before = cpu_seconds(process.pid) if process is not None else None
        result = asyncio.run(run(host, port, body, args.requests, args.concurrency, warmup))
        if process is not None:
            used = cpu_seconds(process.pid) - cpu_before
            total = result["requests"] + warmup * args.concurrency
            result["server_cpu_ms_per_request"] = used / total * 1000 if total else float("nan")
        if args.pages_seconds:
            big = large_body(aides, dt.date.today(), args.large_households)
            saved = saved_results_path(f"http://{host}:{port}")
            result["pages"] = asyncio.run(
                pages_under_load(host, port, ["/", saved], big, args.saturation, args.pages_seconds)
            )
            result["pages"]["large_body_bytes"] = len(big)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        if tmp is not None:
            tmp.cleanup()
    shown = sum(1 for a in aides if a["shown"])
    result.update(
        {
            "aides": shown,
            "body_bytes": len(body),
            "concurrency": args.concurrency,
            "workers": args.workers if not args.url else None,
            "cpus": os.cpu_count(),
            "load_average": round(load_before, 2),
        }
    )
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"web /calculate: {result['rps']:.0f} requests/s, p50 {result['p50_ms']:.1f} ms, "
        f"p90 {result['p90_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms "
        f"({result['requests']} requests, {result['errors']} errors, concurrency {args.concurrency}, "
        f"{result['workers'] or '?'} server workers, {result['cpus']} CPUs; household asking {shown} aides, "
        f"{len(body) // 1024} KiB; load average {result['load_average']} before the run)"
    )
    if "server_cpu_ms_per_request" in result:
        per = result["server_cpu_ms_per_request"]
        print(
            f"web /calculate: the server used {per:.1f} ms of CPU per request, i.e. at most "
            f"{1000 * (os.cpu_count() or 1) / per:.0f} requests/s on {os.cpu_count()} idle cores"
        )
    if "pages" in result:
        pages = result["pages"]
        print(
            f"web pages under load ({args.pages_seconds:.0f} s each; {args.saturation} connections sending "
            f"/calculate {args.large_households} households each, {pages['large_body_bytes'] // 1024} KiB, "
            f"without pause):"
        )
        for when in ("alone", "api_saturated"):
            for path, f in pages[when].items():
                name = (
                    "GET /s/<token> (results)"
                    if path.startswith("/s/")
                    else path
                    if path.startswith("/c")
                    else f"GET {path}"
                )
                rps = f"{f['rps']:.1f} requests/s, " if "rps" in f else ""
                print(
                    f"  {when.replace('_', ' '):>13}: {name:<26} {rps}p50 {f['p50_ms']:.1f} ms, "
                    f"p99 {f['p99_ms']:.1f} ms, max {f['max_ms']:.1f} ms ({f['n']} requests, {f['errors']} errors)"
                )


if __name__ == "__main__":
    main()
