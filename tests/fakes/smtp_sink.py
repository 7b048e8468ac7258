"""An SMTP server in a process of its own that counts what it accepts, for benchmarks and the
killed-worker test: the server's CPU is then not the sender's.

    python -m tests.fakes.smtp_sink --out received.txt [--keep kept.bin] [--keep-count 1000]

It prints ``listening 127.0.0.1 PORT`` when ready, then for every message it accepts appends a line
``MESSAGE-ID RECIPIENTS`` to ``--out`` (flushed every 50 ms and at exit, SIGTERM or SIGINT), and keeps the
first ``--keep-count`` messages (envelope and bytes) in ``--keep`` for a floor to send again.
``SmtpSink`` starts and reads it from another process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from aiosmtpd.smtp import SMTP, Envelope, Session

_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Kept:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


class _Counter:
    def __init__(self, out: IO[str], keep: IO[bytes] | None, keep_count: int) -> None:
        self._out = out
        self._keep = keep
        self._keep_left = keep_count if keep is not None else 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        found = _MESSAGE_ID.search(content)
        recipients = ",".join(envelope.rcpt_tos)
        self._out.write(f"{found.group(1).decode() if found else '-'} {recipients}\n")
        if self._keep is not None and self._keep_left > 0:
            self._keep_left -= 1
            head = json.dumps([envelope.mail_from, envelope.rcpt_tos, len(content)]).encode()
            self._keep.write(head + b"\n" + content)
        return "250 2.0.0 OK: queued"


async def _serve(port: int, out: IO[str], keep: IO[bytes] | None, keep_count: int) -> None:
    handler = _Counter(out, keep, keep_count)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", enable_SMTPUTF8=True), "127.0.0.1", port
    )
    stop = asyncio.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    print(f"listening 127.0.0.1 {server.sockets[0].getsockname()[1]}", flush=True)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.05)
        out.flush()
    server.close()
    out.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--keep-count", type=int, default=1000)
    args = parser.parse_args()
    with contextlib.ExitStack() as files:
        out = files.enter_context(args.out.open("a", encoding="utf-8", buffering=1 << 16))
        keep = None if args.keep is None else files.enter_context(args.keep.open("wb"))
        asyncio.run(_serve(args.port, out, keep, args.keep_count))


class SmtpSink:
    """The sink as a subprocess: its address, and what it has received so far."""

    def __init__(self, folder: Path, keep_count: int = 0) -> None:
        self.out = folder / "received.txt"
        self.kept = folder / "kept.bin"
        self.out.touch()
        keep = ["--keep", str(self.kept), "--keep-count", str(keep_count)] if keep_count else []
        root = str(Path(__file__).resolve().parents[2])
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.smtp_sink", "--out", str(self.out), *keep],
            stdout=subprocess.PIPE,
            text=True,
            cwd=root,
        )
        assert self._process.stdout is not None
        ready = self._process.stdout.readline().split()
        assert ready[:1] == ["listening"], ready
        self.host, self.port = ready[1], int(ready[2])

    def lines(self) -> list[tuple[str, str]]:
        """(Message-ID, recipients) of each message received, in order."""
        found = (line.split(" ", 1) for line in self.out.read_text(encoding="utf-8").splitlines())
        return [(parts[0], parts[1] if len(parts) > 1 else "") for parts in found]

    def counts(self) -> Counter[str]:
        return Counter(message_id for message_id, _ in self.lines())

    def received(self) -> int:
        with self.out.open("rb") as lines:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: lines.read(1 << 20), b""))

    def wait_for(self, count: int, timeout: float) -> int:
        """Until ``count`` messages arrived (or ``timeout`` seconds); how many did."""
        deadline = time.monotonic() + timeout
        while (seen := self.received()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return seen

    def kept_messages(self) -> Iterator[Kept]:
        data = self.kept.read_bytes()
        at = 0
        while at < len(data):
            end = data.index(b"\n", at)
            mail_from, rcpt_tos, size = json.loads(data[at:end])
            yield Kept(mail_from, rcpt_tos, data[end + 1 : end + 1 + size])
            at = end + 1 + size

    def close(self) -> None:
        self._process.send_signal(signal.SIGTERM)
        self._process.wait(30)
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> SmtpSink:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


if __name__ == "__main__":
    main()
