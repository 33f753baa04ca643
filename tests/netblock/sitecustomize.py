"""Put this folder on PYTHONPATH to cut every Python process (workers too) off the network.

Each attempt to open an internet connection fails and is appended to the file named by
ARTICLECAST_NETLOG, so a test can assert that none was made.
"""

import os
import socket

_real_connect = socket.socket.connect


def _blocked(self, address):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6):
        log = os.environ.get("ARTICLECAST_NETLOG")
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{os.getpid()} {address!r}\n")
        raise OSError(101, "Network is unreachable (blocked by the test)")
    return _real_connect(self, address)


socket.socket.connect = _blocked  # type: ignore[method-assign]
