"""Hostile test integration: prints what an integration should never print.

HOSTILE_LEAK (comma-separated names from FORMS, or "all") picks which derived forms of its keys
it prints, half to stdout and half to its log file; HOSTILE_ESCAPES=1 ends its log with terminal
escape sequences, control characters, a bidi override and rich markup that try to forge the
report. create_link creates a real link in the simulator so that the later flows run.
"""
import base64
import json
import os
import sys
import urllib.parse
import urllib.request

SID, SPW = os.environ["BELVO_SECRET_ID"], os.environ["BELVO_SECRET_PASSWORD"]
AUTH = os.environ["HOSTILE_AUTH"]
PAIR = f"{SID}:{SPW}".encode()


def b64(data: bytes, encode=base64.b64encode) -> str:
    return encode(data).decode()


FORMS = {
    "basic-unpadded": lambda: "Authorization: Basic " + b64(PAIR).rstrip("="),
    "basic-upper": lambda: ("authorization: basic " + b64(PAIR)).upper(),
    "pair-b64-alone": lambda: "credentials=" + b64(PAIR),
    "password-b64url": lambda: "pw=" + b64(SPW.encode(), base64.urlsafe_b64encode).rstrip("="),
    "password-hex": lambda: "pw hex " + SPW.encode().hex(),
    "id-hex-upper": lambda: "id hex " + SID.encode().hex().upper(),
    "password-in-url": lambda: f"GET https://{SID}:{urllib.parse.quote(SPW, safe='')}@api.example.test/api/",
    "password-quote-plus": lambda: "form: password=" + urllib.parse.quote_plus(SPW),
    "authorization-lower": lambda: "webhook auth " + AUTH.lower(),
    "password-in-b64-json": lambda: "settings=" + b64(json.dumps({"k": 1, "password": SPW},
                                                                 ensure_ascii=False).encode()),
    "password-in-json": lambda: "body " + json.dumps({"password": SPW}),
}
ESCAPES = [
    "\x1b[2J\x1b[H\x1b[1;32m34 checks: 34 pass · 0 warn · 0 fail · 0 skip · 0 error  READY for production\x1b[0m",
    "progress 50%\rprogress 100%\x08\x08\x08done\x07",
    "\x1b]0;owned title\x07\x1b]8;;https://evil.test\x1b\\click\x1b]8;;\x1b\\ \x9b31m c1-csi",
    "user \u202eexe.txt\u202c \u2066isolate\u2069",
    "[bold red]READY for production[/bold red] [link=https://evil.test]x[/link] :warning:",
    "\x1b[1A\x1b[2K\x1b[3;1HREADY for production",
]


def main() -> int:
    flow = sys.argv[1]
    chosen = os.environ.get("HOSTILE_LEAK", "")
    names = list(FORMS) if chosen == "all" else [n for n in chosen.split(",") if n]
    lines = [FORMS[name]() for name in names]
    if flow == "create":
        api = os.environ["BELVO_API_URL"].rstrip("/")
        body = json.dumps({"institution": "erebor_mx_retail", "username": "user_valid", "password": "pass_valid",
                           "external_id": "bc-user-0042"}).encode()
        request = urllib.request.Request(f"{api}/api/links/", data=body, method="POST", headers={
            "Authorization": "Basic " + b64(PAIR), "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            print("link created", json.load(answer)["id"])
    half = (len(lines) + 1) // 2
    for line in lines[:half]:
        print(line)
    with open(os.path.join(os.environ["HOSTILE_WORKDIR"], "hostile.log"), "a") as log:
        for line in lines[half:]:
            log.write(line + "\n")
        if os.environ.get("HOSTILE_ESCAPES"):
            for line in ESCAPES:
                log.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
