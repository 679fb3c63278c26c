"""moto server for drconsole's AWS adapter tests, on 127.0.0.1 only.

Usage: server.py [--port N] [--require-auth]

Prints "moto listening on 127.0.0.1:PORT" once it accepts requests (port 0
picks a free one), then serves until killed or until stdin closes, so a test
that dies never leaves a server behind.

One call is patched: moto's GetHealthCheckStatus always answers a single
healthy checker, so no test could see an unhealthy region. Here a health
check tagged `drconsole-test-health` answers with several checkers instead:

  unhealthy   8 checkers, all "Failure: ..."
  K/N         N checkers, the first K "Success: ...", the rest "Failure: ..."

Untagged health checks get moto's own answer. Route53 itself then decides
health from these reports; drconsole applies the same rule to them.

Also fixed: moto writes health checks' booleans the Python way ("False"),
which the AWS SDK for Rust rightly refuses as XML booleans.

--require-auth makes moto check credentials on every request (moto's
INITIAL_NO_AUTH_ACTION_COUNT=0): unknown access keys are refused as AWS
refuses them. State is reset with POST /moto-api/reset.
"""

import argparse
import logging
import os
import sys
import threading

TAG = "drconsole-test-health"

STATUS_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<GetHealthCheckStatusResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
   <HealthCheckObservations>{observations}
   </HealthCheckObservations>
</GetHealthCheckStatusResponse>
"""

OBSERVATION_TEMPLATE = """
      <HealthCheckObservation>
         <IPAddress>127.0.13.{n}</IPAddress>
         <Region>{region}</Region>
         <StatusReport>
            <CheckedTime>{timestamp}</CheckedTime>
            <Status>{status}</Status>
         </StatusReport>
      </HealthCheckObservation>"""

CHECKER_REGIONS = [
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
]


def parse_tag(value):
    """(ok, total) for a tag value, or None for an unknown value."""
    if value == "unhealthy":
        return 0, len(CHECKER_REGIONS)
    ok, sep, total = value.partition("/")
    if sep and ok.isdigit() and total.isdigit() and int(ok) <= int(total):
        return int(ok), int(total)
    return None


def patch_health_check_status():
    import re

    from moto.core.utils import iso_8601_datetime_with_milliseconds
    from moto.route53.responses import Route53

    original = Route53.get_health_check_status

    def get_health_check_status(self):
        found = re.search(
            r"healthcheck/(?P<id>[^/]+)/status$", self.parsed_url.path
        )
        health_check_id = found.group("id") if found else ""
        self.backend.get_health_check(health_check_id)  # NoSuchHealthCheck
        tags = self.backend.list_tags_for_resource(health_check_id)
        wanted = parse_tag(tags[TAG]) if TAG in tags else None
        if wanted is None:
            return original(self)
        ok, total = wanted
        timestamp = iso_8601_datetime_with_milliseconds()
        observations = "".join(
            OBSERVATION_TEMPLATE.format(
                n=n + 1,
                region=CHECKER_REGIONS[n % len(CHECKER_REGIONS)],
                timestamp=timestamp,
                status=(
                    "Success: HTTP Status Code 200, OK"
                    if n < ok
                    else "Failure: Connection timed out."
                ),
            )
            for n in range(total)
        )
        return STATUS_TEMPLATE.format(observations=observations)

    Route53.get_health_check_status = get_health_check_status


def patch_health_check_booleans():
    from moto.route53.models import HealthCheck

    original = HealthCheck.to_xml

    def to_xml(self):
        return (
            original(self)
            .replace(">False</", ">false</")
            .replace(">True</", ">true</")
        )

    HealthCheck.to_xml = to_xml


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--require-auth", action="store_true")
    args = parser.parse_args()
    if args.require_auth:
        # moto reads this once, when its settings module is imported.
        os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from moto.server import ThreadedMotoServer

    patch_health_check_status()
    patch_health_check_booleans()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"moto listening on {host}:{port}", flush=True)

    done = threading.Event()

    def watch_stdin():
        sys.stdin.read()
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    server.stop()


if __name__ == "__main__":
    main()
