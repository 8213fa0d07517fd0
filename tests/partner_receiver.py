"""A partner's inbound endpoint, run as its own process by the syndication tests.

    python partner_receiver.py LOG SECRET [--script JSON] [--delay SECONDS]

Listens on 127.0.0.1 on a free port and prints the port. Every POST's signature is checked
against SECRET (401 when wrong); each request is appended to LOG as one JSON line *before* the
answer is sent, so a request whose answer is lost is still on record. ``--script`` lists the
answers to give in turn ("500", "429:SECONDS" for a Retry-After, "late:SECONDS" to answer 200
only after SECONDS); after the script, every answer is 200. ``--delay`` slows every answer.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("secret")
    parser.add_argument("--script", default="[]")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    script: list[str] = json.loads(args.script)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            expected = "sha256=" + hmac.new(args.secret.encode(), body,
                                            hashlib.sha256).hexdigest()
            signed = hmac.compare_digest(expected, self.headers.get("X-Hub-Signature-256", ""))
            with lock:
                answer = script.pop(0) if script else "200"
                if not signed and self.path != "/hub":
                    answer = "401"
                record = {"path": self.path, "time": time.time(), "answer": answer,
                          "signed": signed, "key": self.headers.get("Idempotency-Key"),
                          "event": self.headers.get("X-Portal-Event"),
                          "content_type": self.headers.get("Content-Type"),
                          "body": body.decode("utf-8")}
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps(record, ensure_ascii=False) + "\n")
            code, _, value = answer.partition(":")
            time.sleep(args.delay + (float(value) if code == "late" else 0))
            status = 200 if code == "late" else int(code)
            self.send_response(status)
            if code == "429":
                self.send_header("Retry-After", value or "1")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the log file is the record."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
