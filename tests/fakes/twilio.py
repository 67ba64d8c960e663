"""A local fake of the Twilio REST API's Messages endpoint, for the real twilio SDK to call.

Responses can be scripted (e.g. 500, then 429, then success); every request is recorded.
``delay`` slows each message create: the message is accepted (recorded in ``accepted``, as
Twilio would have created it) and the answer comes ``delay`` seconds later, so a sender can be
killed while it waits. ``answered`` counts the responses written.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class FakeTwilio:
    def __init__(self):
        self.requests: list[dict] = []
        self.accepted: list[dict] = []
        self.script: list[int] = []  # status codes to answer before succeeding
        self.delay = 0.0  # seconds between accepting a message and answering
        self.answered = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with fake.lock:
                    fake.requests.append(
                        {"path": self.path, "form": form, "auth": self.headers.get("Authorization")}
                    )
                    status = fake.script.pop(0) if fake.script else 201
                if status == 201:
                    with fake.lock:
                        fake.accepted.append(form)
                    body = {
                        "sid": "SM" + uuid.uuid4().hex,
                        "status": "queued",
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                    }
                else:
                    body = {
                        "code": 20500 if status == 500 else 20429,
                        "message": "Internal error" if status == 500 else "Too many requests",
                        "status": status,
                    }
                data = json.dumps(body).encode()
                if fake.delay:
                    time.sleep(fake.delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the sender died while waiting (a crash test)
                finally:
                    with fake.lock:
                        fake.answered += 1

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
