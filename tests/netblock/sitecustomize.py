"""On PYTHONPATH (the tests put it there for every process they start, and load it into their own), this cuts a
Python process off the network beyond this machine: a connection elsewhere fails, and a name that is not this
machine's is not looked up. This machine's own addresses are allowed (a Ray started by a test talks to itself on
its interface's address); nothing sent to them leaves the machine.

Each refused attempt is appended to the file named by ARTICLECAST_NETLOG (if set), so a test can assert that
none was made. ARTICLECAST_NETCUT=all refuses this machine too (a machine with no network at all)."""

import ipaddress
import os
import socket

_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


def own_addresses():  # type: ignore[no-untyped-def]
    """This machine's addresses, as Linux lists them (no lookup, no network)."""
    found = {"127.0.0.1", "::1"}
    try:
        with open("/proc/net/fib_trie", encoding="ascii") as f:
            lines = f.read().splitlines()
        for before, line in zip(lines, lines[1:]):
            if line.strip() == "/32 host LOCAL":
                found.add(before.split()[-1])
        with open("/proc/net/if_inet6", encoding="ascii") as f:
            for line in f:
                raw = line.split()[0]
                found.add(str(ipaddress.ip_address(":".join(raw[i:i + 4] for i in range(0, 32, 4)))))
    except OSError:
        pass
    return found


HOST = socket.gethostname()
OWN = own_addresses()


def allowed(host):  # type: ignore[no-untyped-def]
    """Whether talking to ``host`` (a name or an address) stays on this machine."""
    if os.environ.get("ARTICLECAST_NETCUT") == "all":
        return False
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host in ("localhost", HOST) or host in OWN:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _log(what):  # type: ignore[no-untyped-def]
    path = os.environ.get("ARTICLECAST_NETLOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {what!r}\n")


def _connect(self, address):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6) and not allowed(address[0]):
        _log(address)
        raise OSError(101, "Network is unreachable (blocked by the test)")
    return _real_connect(self, address)


def _getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if host is not None and not allowed(host if isinstance(host, str) else str(host)):
        _log(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (blocked by the test)")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _connect  # type: ignore[method-assign]
socket.getaddrinfo = _getaddrinfo
