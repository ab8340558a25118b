#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot a kernel in qemu-system-aarch64 -M virt, copy its console to a log
file (and optionally to stdout), and serve the guest's requests to the host.

A guest test asks the host for something QEMU must do (a balloon resize
raises an edge interrupt on the balloon's virtio-mmio slot) by writing a
line "vfiotest-host: CMD" to the console. Only the commands in ALLOWED are
passed to the QEMU monitor."""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

ALLOWED = re.compile(r"^(balloon \d+|system_powerdown)$")


def monitor(sock_path, cmd):
    """Send one command to QEMU's human monitor."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(sock_path)
        s.recv(4096)
        s.sendall(cmd.encode() + b"\n")
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--dtb")
    ap.add_argument("--append", default="")
    ap.add_argument("--machine", default="virt")
    ap.add_argument("--memory", default="512")
    ap.add_argument("--log", required=True)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--echo", action="store_true", help="copy the console to stdout")
    ap.add_argument("qemu_args", nargs="*", help="extra QEMU arguments (after --)")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="vfiotest-")
    mon = os.path.join(tmp, "monitor.sock")
    cmd = ["qemu-system-aarch64", "-M", a.machine, "-cpu", "cortex-a57",
           "-m", a.memory, "-display", "none", "-serial", "stdio",
           "-monitor", f"unix:{mon},server,nowait", "-no-reboot", "-nic", "none",
           "-kernel", a.kernel, "-initrd", a.initrd,
           "-append", f"console=ttyAMA0 panic=-1 {a.append}".strip()]
    if a.dtb:
        cmd += ["-dtb", a.dtb]
    cmd += a.qemu_args
    start = time.monotonic()
    timed_out = False
    # The host's clock at each "### " line of the console (a test's
    # start and end, guest/init): LOG.times, "SECONDS LINE", for where a
    # guest's time goes.
    with open(a.log, "wb") as log, open(a.log + ".times", "w") as times:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        os.set_blocking(p.stdout.fileno(), False)
        buf = b""
        while True:
            if time.monotonic() - start > a.timeout:
                timed_out = True
                p.kill()
                break
            try:
                chunk = os.read(p.stdout.fileno(), 65536)
            except BlockingIOError:
                if p.poll() is not None:
                    break
                time.sleep(0.01)
                continue
            if not chunk:
                break
            log.write(chunk)
            log.flush()
            if a.echo:
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.startswith(b"### "):
                    times.write("%.1f %s\n" % (time.monotonic() - start,
                                                line.rstrip(b"\r").decode(errors="replace")[:100]))
                m = re.search(rb"vfiotest-host: (.*?)\r?$", line)
                if m and ALLOWED.match(m.group(1).decode(errors="replace")):
                    monitor(mon, m.group(1).decode())
        p.wait()
        if timed_out:
            log.write(b"\n### HOST: timeout after %d s\n" % a.timeout)
    try:
        os.unlink(mon)
    except OSError:
        pass
    os.rmdir(tmp)
    print(f"{a.log}: qemu exit {p.returncode}, {time.monotonic() - start:.1f} s"
          + (" (timeout)" if timed_out else ""), file=sys.stderr)
    return 1 if timed_out else 0


if __name__ == "__main__":
    sys.exit(main())
