#!/usr/bin/env python3
"""The README's curl tour from Python, standard library only (for notebooks and scripts).

    python3 examples/notebook.py [SERVER_URL]

SERVER_URL defaults to $PREFAULT_LAB_URL, then http://127.0.0.1:3000. When the server wants
tokens, put yours in $PREFAULT_LAB_TOKEN. Each step prints one line of what it saw; the exit
status is 0 when every answer is the one the tour describes, 1 otherwise.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def call(base, method, path, body=None, query=None):
    """One request; returns (HTTP status, decoded JSON). Problems (4xx/5xx) are answers too."""
    url = base + path + ("?" + urllib.parse.urlencode(query) if query else "")
    headers = {"accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    token = os.environ.get("PREFAULT_LAB_TOKEN")
    if token:
        headers["authorization"] = "Bearer " + token
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def check(ok, line):
    print(("ok    " if ok else "WRONG ") + line)
    return ok


def tour(base):
    good = True
    # 1. A VM with every default.
    status, vm = call(base, "POST", "/v1/vms", {"name": "lab-1"})
    if not check(status == 201, f"1. created VM {vm.get('id')} (HTTP {status})"):
        print(json.dumps(vm))
        return False
    vcpus = f"/v1/vms/{vm['id']}/vcpus"
    # 2. The selftest's memslot: address space 0, slot 10, untouched 4K memory.
    status, slot = call(base, "PUT", f"/v1/vms/{vm['id']}/memslots/0/10", {
        "guestPhysAddr": "0x3fffffc00000", "size": "0x201000", "userspaceAddr": "0x7f0000001000",
        "backing": {"pageSize": "4K", "writable": False},
    })
    good &= check(status in (200, 201), f"2. memslot 0/10 at 0x3fffffc00000 (HTTP {status})")
    # 3. vCPU 0, then pre-fault 2 MiB.
    status, _ = call(base, "POST", vcpus, {"id": 0})
    good &= check(status == 201, f"3. vCPU 0 (HTTP {status})")
    status, result = call(base, "POST", vcpus + "/0/pre-fault", {"gpa": "0x3fffffc00000", "size": "0x200000"})
    steps = ", ".join(f"{it['count']} x {it['result']} {it['level']}" for it in result.get("iterations", []))
    mapped = ", ".join(f"{m['gpa']} +{m['size']} as {m['count']} x {m['level']}" for m in result.get("mapped", []))
    good &= check(
        result.get("ret") == 0 and steps == "512 x FIXED 4K",
        f"3. pre-fault 2 MiB: ret {result.get('ret')}, iterations {steps}; mapped {mapped}",
    )
    # 4. A size of 0 is the kernel's EINVAL, answered with HTTP 200.
    status, result = call(base, "POST", vcpus + "/0/pre-fault", {"gpa": "0x3fffffc00000", "size": 0})
    good &= check(
        status == 200 and result.get("errno") == "EINVAL",
        f"4. size 0: HTTP {status}, ret {result.get('ret')}, errno {result.get('errno')}",
    )
    # 5. What is mapped now: roots, leaf rows, a page walk, the operation log.
    root_path = f"/v1/vms/{vm['id']}/roots"
    _, roots = call(base, "GET", root_path)
    for root in roots.get("roots", []):
        print(f"      root {root['id']} level {root['level']}: {root['counts']}")
    _, rows = call(base, "GET", root_path + "/r0/mappings", query={"from": "0x3fffffc00000", "limit": 10})
    for row in rows.get("mappings", []):
        print(f"      mapping {row['gpa']} +{row['size']} {row['count']} x {row['level']} {row['kind']}")
    status, walk = call(base, "GET", root_path + "/r0/walk", query={"gpa": "0x3fffffc01000"})
    good &= check(
        status == 200 and walk.get("leafLevel") == "4K",
        f"5. walk of 0x3fffffc01000: {len(walk.get('steps', []))} steps, leaf {walk.get('leafLevel')}",
    )
    _, log = call(base, "GET", f"/v1/vms/{vm['id']}/operations", query={"limit": 5})
    for entry in log.get("operations", []):
        print(f"      operation {entry['seq']}: {entry['op']['op']}")
    # 6. A caller mistake is an RFC 9457 problem naming the field.
    status, problem = call(base, "POST", vcpus + "/0/pre-fault", {"gpa": -1, "size": 4096})
    good &= check(
        status == 400 and problem.get("field") == "gpa",
        f"6. gpa -1: HTTP {status}, field {problem.get('field')}: {problem.get('detail')}",
    )
    return good


def main():
    base = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PREFAULT_LAB_URL", "http://127.0.0.1:3000")).rstrip("/")
    print(f"prefault-lab at {base}")
    try:
        good = tour(base)
    except urllib.error.URLError as error:
        print(f"cannot reach {base}: {error.reason}")
        return 1
    print("the tour's answers, as described" if good else "some answers differ from the tour's")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
