#!/usr/bin/env python3
"""Time the official Tencent Cloud Python SDK's TC3 signature on the request credchain's
`tc3_post_200B_*` benches sign (crates/credchain/benches/signing.rs): a 200-byte JSON POST to
cvm.tencentcloudapi.com, DescribeInstances, timestamp 1551113065, region ap-guangzhou.

What is timed per signature is what the SDK does for one request once the body is serialised:
the scope date (`datetime.utcfromtimestamp(...).strftime`), `AbstractClient._get_tc3_signature`
(payload hash, canonical request, string to sign, then `Sign.sign_tc3`, which derives the key
chain every time: the SDK has no derived-key cache) and the Authorization string. No request is
sent. The script first checks that the SDK's signature equals credchain's for the same input
(`EXPECTED_SIGNATURE`; the Rust test `tc3_python_benchmark_request` checks credchain gives the same
value), so both sides do the same work.

Setup (outside the repository):
    python3 -m venv /work/venv
    /work/venv/bin/pip install tencentcloud-sdk-python-common
Run:
    /work/venv/bin/python benches/python_tc3.py [--repeat 7] [--number 20000]

Prints the best (minimum) of the repeats in microseconds per signature, as BENCHMARKS.md reports
the Rust figures next to it.
"""

import argparse
import datetime
import sys
import timeit

from tencentcloud.common import credential
from tencentcloud.common.abstract_client import AbstractClient
from tencentcloud.common.http.request import RequestInternal

SECRET_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
TIMESTAMP = 1551113065
EXPECTED_SIGNATURE = "9c56fc3f24520dd2bcdd973a668093220effc60d120337e1c178e4eddb35ce99"
BODY = (
    '{"InstanceIds":["ins-09dx96dg","ins-1f2e3d4c"],"Filters":[{"Name":"zone","Values":'
    '["ap-guangzhou-3"]},{"Name":"instance-name","Values":["web-server-01"]}],"Offset":0,'
    '"Limit":20,"Tag":"env:prod"}'
)


class CvmClient(AbstractClient):
    """The smallest client the SDK accepts: service and version as the generated CVM client."""

    _apiVersion = "2017-03-12"
    _endpoint = "cvm.tencentcloudapi.com"
    _service = "cvm"


def make_request():
    req = RequestInternal("cvm.tencentcloudapi.com", "POST", "/")
    req.header = {
        "Content-Type": "application/json",
        "Host": "cvm.tencentcloudapi.com",
        "X-TC-Action": "DescribeInstances",
        "X-TC-Timestamp": str(TIMESTAMP),
        "X-TC-Version": "2017-03-12",
        "X-TC-Region": "ap-guangzhou",
    }
    req.data = BODY
    return req


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=20000)
    args = parser.parse_args()
    assert 180 <= len(BODY) <= 220, len(BODY)

    client = CvmClient(credential.Credential(SECRET_ID, SECRET_KEY), "ap-guangzhou")
    req = make_request()

    def sign_once():
        date = datetime.datetime.fromtimestamp(TIMESTAMP, datetime.timezone.utc).strftime("%Y-%m-%d")
        signature = client._get_tc3_signature({}, req, date, "cvm", SECRET_KEY)
        return (
            "TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, SignedHeaders=content-type;host, "
            "Signature=%s" % (SECRET_ID, date, "cvm", signature)
        )

    authorization = sign_once()
    if not authorization.endswith("Signature=" + EXPECTED_SIGNATURE):
        sys.exit("the SDK's signature differs from credchain's for the same request")
    times = timeit.repeat(sign_once, repeat=args.repeat, number=args.number)
    best = min(times) / args.number * 1e6
    print("python %s, tencentcloud-sdk-python-common" % sys.version.split()[0])
    print("tc3_post_200B (python SDK, key chain derived each time): %.2f us per signature "
          "(min of %d x %d)" % (best, args.repeat, args.number))
    return authorization


if __name__ == "__main__":
    main()
