"""bench/load.py reads wrk's report right: rates, latencies in every unit, errors and its Lua scripts' counters."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "load.py"

# What Debian's wrk 4.1.0 printed for a page of the platform with bench/status.lua (values shortened).
PAGE_RUN = """\
Running 10s test @ http://127.0.0.1:40123/module
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   549.52ms  200.10ms   1.32s    70.00%
    Req/Sec    12.00      5.00    30.00     60.00%
  Latency Distribution
     50%  549.50ms
     75%  700.00ms
     90%  900.00ms
     99%    1.32s
  242 requests in 10.01s, 2.10MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:     24.18
Transfer/sec:    214.50KB
statuses: 2xx=237 3xx=0 4xx=1 5xx=2
"""

HELLO_RUN = """\
Running 3s test @ http://127.0.0.1:40124/
  2 threads and 16 connections
  Latency Distribution
     50%  635.00us
     75%    1.06ms
     90%    2.51ms
     99%    8.23ms
  16651 requests in 3.03s, 2.72MB read
Requests/sec:   5497.48
Transfer/sec:      0.90MB
"""


@pytest.fixture(scope="module")
def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_load", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_a_page_run_gives_rate_latencies_and_every_failure(load: ModuleType) -> None:
    result = load.parse_wrk(PAGE_RUN)

    assert result.requests_per_second == 24.18
    assert (result.p50_ms, result.p99_ms) == (549.5, 1320.0)
    assert result.requests == 242
    assert result.statuses == {"2xx": 237, "3xx": 0, "4xx": 1, "5xx": 2}
    assert result.non_2xx == 3 + 2  # three error responses and two timeouts


def test_microseconds_and_a_run_without_errors(load: ModuleType) -> None:
    result = load.parse_wrk(HELLO_RUN)

    assert result.requests_per_second == 5497.48
    assert result.p50_ms == pytest.approx(0.635)
    assert result.p99_ms == 8.23
    assert result.non_2xx == 0


def test_the_quiz_flow_counters(load: ModuleType) -> None:
    result = load.parse_wrk(HELLO_RUN + "quiz flow: started=41 passed=37 refused=0 failed=1 exhausted=0\n")

    assert result.quiz == {"started": 41, "passed": 37, "refused": 0, "failed": 1, "exhausted": 0}


def test_output_without_latency_distribution_is_refused(load: ModuleType) -> None:
    with pytest.raises(ValueError, match="--latency"):
        load.parse_wrk("Requests/sec:   5497.48\n")


def test_a_run_is_lopsided_when_a_worker_holds_less_than_an_eighth_of_the_connections(
    load: ModuleType,
) -> None:
    workers = [101, 102]

    assert load.lopsided(Counter({101: 16}), workers, 16)  # the other worker idles: one process measured
    assert load.lopsided(Counter({101: 15, 102: 1}), workers, 16)
    assert not load.lopsided(Counter({101: 14, 102: 2}), workers, 16)
    assert not load.lopsided(Counter({101: 8, 102: 8}), workers, 16)


@pytest.mark.skipif(shutil.which("ss") is None, reason="ss (iproute2) is missing")
def test_the_connections_a_process_accepted_are_counted_as_its_own(load: ModuleType) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        accepted = [listener.accept()[0] for _ in clients]
        try:
            # Only the accepted ends have the server's port as their source: the clients' ends are not counted.
            assert load.connection_owners(port) == Counter({os.getpid(): 3})
        finally:
            for end in clients + accepted:
                end.close()
