"""`python -m bench.simulator`: see bench/simulator/__init__.py."""

import argparse
import sys
import threading
from dataclasses import replace

from bench.labelled import read_labels
from bench.simulator.model import Parameters
from bench.simulator.server import SimulatedApi, Simulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--seed", type=int, default=Parameters().seed)
    parser.add_argument("--tier1-delay", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--tier2-delay", type=float, default=0.0, help="seconds per answer")
    parser.add_argument(
        "--describe", action="store_true", help="print the simulation's parameters and exit"
    )
    args = parser.parse_args(argv)
    params = replace(Parameters(), seed=args.seed)
    if args.describe:
        print(params.describe())
        return
    labels = {row["sender"]: row for row in read_labels()}
    server = SimulatedApi(
        Simulator(params, labels),
        host=args.host,
        port=args.port,
        delays=(args.tier1_delay, args.tier2_delay),
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    print(server.base_url, flush=True)
    try:
        sys.stdin.read()  # until the parent closes the pipe (or exits)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
