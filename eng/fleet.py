#!/usr/bin/env python3
"""The fleet run: three sample-server replicas on loopback behind haproxy, one model store in an
object-store emulator (s3rver or azurite), steady load through haproxy (wrk), and the operations a
fleet lives through:

  1. publish version 2 with `lyftserving publish`      -> every replica swaps to 2 (measured)
  2. roll back to 1 on one replica (POST /admin/models/driver_eta/rollback with a bearer token
     the run mints, role model-operator)                 -> every replica follows (measured)
  3. drain one replica in haproxy, stop it (SIGTERM), start it again on its cache
                                                         -> it comes back on the fleet's version 1

and checks that no call failed (wrk: non-2xx responses and socket errors), every replica
converged within the limit, and the restarted replica serves the fleet's version.

Usage: eng/fleet.py --store s3|azblob --server <LyftServing.Server.dll> --tool <lyftserving.dll>
                    [--duration 45] [--limit 15] [--json results.json]
eng/fleet.sh builds both and runs this for both stores. Exit code 0 when everything held.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATORS = os.path.join(ROOT, "eng", "emulators", "node_modules", ".bin")
MODEL = "driver_eta"
VERSIONS = os.path.join(ROOT, "samples", "models", MODEL)
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
# The bearer settings every replica is given (the sample server's JwtBearer reads
# Authentication:Schemes:Bearer, as `dotnet user-jwts` writes it) and the tokens the run mints.
ISSUER = "lyftserving-fleet"
AUDIENCE = "lyftserving-fleet"
OPERATOR_ROLE = "model-operator"
BODY = '{"model_id": "driver_eta", "features": {"distance_km": 8.0, "stops": 1, "hour_of_day": 17, "traffic_index": 0.7}}'

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) v1 = 0; v2 = 0; bad = 0 end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1
  elseif body:find('"model_version":"1"', 1, true) then v1 = v1 + 1
  elseif body:find('"model_version":"2"', 1, true) then v2 = v2 + 1
  else bad = bad + 1 end
end
function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("v1"); b = b + t:get("v2"); c = c + t:get("bad") end
  io.write(string.format("FLEET requests=%%d v1=%%d v2=%%d bad=%%d non2xx=%%d connect=%%d read=%%d write=%%d timeout=%%d p50_us=%%d p99_us=%%d\\n",
    summary.requests, a, b, c, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
""" % BODY


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, deadline_s=60):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {deadline_s} s")


def base64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_token(key, name, role, lifetime_s=600):
    """A JWT signed with HS256, as a tool would mint one for the admin endpoints."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": name, "unique_name": name, "role": role,
              "jti": uuid.uuid4().hex, "iat": now, "nbf": now, "exp": now + lifetime_s}
    signing_input = ".".join(base64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64url(signature)


def http(method, url, body=None, timeout=5, token=None):
    headers = {"Content-Type": "application/json"} if body else {}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(url, method=method, data=body.encode() if body else None, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def log(message):
    print(f"[fleet {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Fleet:
    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="lyftserving-fleet-")
        self.processes = []
        self.replicas = {}
        self.store_port = free_port()
        self.lb_port = free_port()
        self.location = f"{args.store}://models/fleet"
        self.signing_key = os.urandom(32)  # this run's replicas only

    # --- the store -------------------------------------------------------------------------
    def start_store(self):
        data = os.path.join(self.work, "store")
        os.makedirs(data)
        if self.args.store == "s3":
            command = [os.path.join(EMULATORS, "s3rver"), "-d", data, "-a", "127.0.0.1", "-p", str(self.store_port), "--silent", "--configure-bucket", "models"]
        else:
            command = [os.path.join(EMULATORS, "azurite-blob"), "--blobHost", "127.0.0.1", "--blobPort", str(self.store_port),
                       "--location", data, "--silent", "--skipApiVersionCheck", "--loose"]
        if not os.path.exists(command[0]):
            raise RuntimeError(f"{command[0]} is missing: run eng/emulators.sh")
        self.processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_port(self.store_port)
        time.sleep(0.5)  # s3rver creates its bucket after it listens

    def store_environment(self):
        if self.args.store == "s3":
            return {
                "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER",
                "ModelServing__S3__ServiceUrl": f"http://127.0.0.1:{self.store_port}",
                "ModelServing__S3__ForcePathStyle": "true",
            }
        return {"ModelServing__AzureBlob__ConnectionString": self.connection_string()}

    def connection_string(self):
        return (f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};"
                f"BlobEndpoint=http://127.0.0.1:{self.store_port}/devstoreaccount1;")

    def publish(self, version):
        command = ["dotnet", self.args.tool, "publish", os.path.join(VERSIONS, version), "--store", self.location, "--model", MODEL, "--version", version]
        if self.args.store == "s3":
            command += ["--endpoint", f"http://127.0.0.1:{self.store_port}"]
        else:
            command += ["--connection-string", self.connection_string()]
        environment = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER")
        result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"lyftserving publish failed: {result.stdout}{result.stderr}")

    # --- the replicas ----------------------------------------------------------------------
    def start_replica(self, name):
        replica = self.replicas.get(name) or {"port": free_port(), "cache": os.path.join(self.work, "cache-" + name)}
        self.replicas[name] = replica
        environment = dict(os.environ, **self.store_environment(), **{
            "ModelServing__StoreRoot": self.location,
            "ModelServing__DiscoverModels": "true",
            "ModelServing__PollInterval": "00:00:01",
            "ModelServing__" + ("S3" if self.args.store == "s3" else "AzureBlob") + "__CacheDirectory": replica["cache"],
            "Authentication__Schemes__Bearer__ValidIssuer": ISSUER,
            "Authentication__Schemes__Bearer__ValidAudiences__0": AUDIENCE,
            "Authentication__Schemes__Bearer__SigningKeys__0__Issuer": ISSUER,
            "Authentication__Schemes__Bearer__SigningKeys__0__Value": base64.b64encode(self.signing_key).decode(),
            "Logging__LogLevel__Default": "Warning",
            "Logging__LogLevel__LyftServing.Stores": "Information",
            "DOTNET_gcServer": "0",
        })
        log_file = open(os.path.join(self.work, name + ".log"), "a")
        replica["process"] = subprocess.Popen(["dotnet", self.args.server, "--urls", f"http://127.0.0.1:{replica['port']}"],
                                              cwd=os.path.dirname(self.args.server), env=environment, stdout=log_file, stderr=log_file)
        self.processes.append(replica["process"])
        replica["started"] = time.monotonic()

    def wait_ready(self, name, deadline_s=90):
        replica = self.replicas[name]
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if replica["process"].poll() is not None:
                raise RuntimeError(f"replica {name} exited with {replica['process'].returncode}; see {self.work}/{name}.log")
            if http("GET", f"http://127.0.0.1:{replica['port']}/health/ready", timeout=1)[0] == 200:
                return time.monotonic() - replica["started"]
            time.sleep(0.05)
        raise RuntimeError(f"replica {name} not ready after {deadline_s} s")

    def primary(self, name):
        status, body = http("GET", f"http://127.0.0.1:{self.replicas[name]['port']}/models", timeout=2)
        if status != 200:
            return None
        return next((m.get("primary_version") for m in json.loads(body)["models"] if m["model_id"] == MODEL), None)

    def wait_converged(self, version, since):
        """Seconds from `since` until each replica's primary is `version`; fails past the limit."""
        pending = set(self.replicas)
        times = {}
        end = since + self.args.limit
        while pending and time.monotonic() < end:
            for name in sorted(pending):
                if self.primary(name) == version:
                    times[name] = round(time.monotonic() - since, 3)
            pending -= set(times)
            time.sleep(0.02)
        if pending:
            raise RuntimeError(f"replicas {sorted(pending)} did not reach version {version} within {self.args.limit} s")
        log(f"version {version} everywhere: {times}")
        return times

    # --- haproxy ---------------------------------------------------------------------------
    def start_haproxy(self):
        socket_path = os.path.join(self.work, "haproxy.sock")
        servers = "\n".join(f"  server {name} 127.0.0.1:{r['port']} check" for name, r in sorted(self.replicas.items()))
        config = f"""global
  stats socket {socket_path} mode 600 level admin
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch
frontend fleet
  bind 127.0.0.1:{self.lb_port}
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /health/ready
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
{servers}
"""
        path = os.path.join(self.work, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(config)
        self.haproxy_socket = socket_path
        self.processes.append(subprocess.Popen(["haproxy", "-f", path, "-db"], stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "haproxy.log"), "w")))
        wait_port(self.lb_port)

    def haproxy(self, command):
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.haproxy_socket)
            s.sendall((command + "\n").encode())
            return s.recv(65536).decode()

    def sessions(self, name):
        """Current sessions on a server in haproxy (field scur of `show stat`)."""
        lines = self.haproxy("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        for line in lines[1:]:
            fields = line.split(",")
            if len(fields) > 1 and fields[0] == "replicas" and fields[1] == name:
                return int(fields[header.index("scur")] or 0)
        return 0

    # --- the run ---------------------------------------------------------------------------
    def run(self):
        results = {"store": self.args.store, "replicas": 3, "poll_interval_s": 1}
        self.start_store()
        self.publish("1")
        for name in ("r1", "r2", "r3"):
            self.start_replica(name)
        results["replica_ready_s"] = {name: round(self.wait_ready(name), 2) for name in ("r1", "r2", "r3")}
        assert all(self.primary(n) == "1" for n in self.replicas), "replicas did not start on version 1"
        self.start_haproxy()
        time.sleep(1.5)  # haproxy's first health checks

        script = os.path.join(self.work, "fleet.lua")
        with open(script, "w") as f:
            f.write(WRK_SCRIPT)
        wrk = subprocess.Popen(["wrk", "-t2", "-c16", f"-d{self.args.duration}s", "--timeout", "5s", "-s", script, f"http://127.0.0.1:{self.lb_port}/infer"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        load_started = time.monotonic()
        time.sleep(4)

        log("publishing version 2")
        started = time.monotonic()
        self.publish("2")
        published = time.monotonic()
        results["publish_s"] = round(published - started, 3)
        results["converged_on_2_s"] = self.wait_converged("2", published)
        time.sleep(3)

        log("rolling back on r1 (POST /admin with a bearer token)")
        rollback = f"http://127.0.0.1:{self.replicas['r1']['port']}/admin/models/{MODEL}/rollback"
        anonymous = http("POST", rollback, timeout=30)[0]
        not_operator = http("POST", rollback, timeout=30, token=mint_token(self.signing_key, "fleet", "reader"))[0]
        results["admin_without_token"], results["admin_without_role"] = anonymous, not_operator
        if (anonymous, not_operator) != (401, 403):
            raise RuntimeError(f"the admin rollback answered {anonymous} without a token and {not_operator} without the role (expected 401 and 403)")
        started = time.monotonic()
        status, body = http("POST", rollback, timeout=30, token=mint_token(self.signing_key, "fleet", OPERATOR_ROLE))
        if status != 200:
            raise RuntimeError(f"rollback answered {status}: {body}")
        results["converged_on_1_s"] = self.wait_converged("1", started)
        time.sleep(2)

        log("restarting r3 (drained in haproxy first)")
        self.haproxy("set server replicas/r3 state drain")
        end = time.monotonic() + 10
        while self.sessions("r3") > 0 and time.monotonic() < end:
            time.sleep(0.05)
        self.haproxy("set server replicas/r3 state maint")
        r3 = self.replicas["r3"]["process"]
        r3.send_signal(signal.SIGTERM)
        r3.wait(timeout=30)
        log_path = os.path.join(self.work, "r3.log")
        log_size = os.path.getsize(log_path)
        self.start_replica("r3")
        results["restarted_ready_s"] = round(self.wait_ready("r3"), 2)
        with open(log_path, errors="replace") as f:
            f.seek(log_size)
            restart_log = f.read()
        results["restarted_reused_cache"] = "reusing the verified copy" in restart_log and "downloaded and verified" not in restart_log
        results["restarted_version"] = self.primary("r3")
        self.haproxy("set server replicas/r3 state ready")
        log(f"r3 back on version {results['restarted_version']} after {results['restarted_ready_s']} s (cache reused: {results['restarted_reused_cache']})")
        if results["restarted_version"] != "1":
            raise RuntimeError(f"the restarted replica serves version {results['restarted_version']}, not the fleet's 1")

        remaining = self.args.duration - (time.monotonic() - load_started)
        if remaining < 2:
            raise RuntimeError("the load ended before the scenario did: raise --duration")
        output, _ = wrk.communicate(timeout=self.args.duration + 30)
        line = next((l for l in output.splitlines() if l.startswith("FLEET ")), None)
        if line is None:
            raise RuntimeError("wrk printed no summary:\n" + output)
        load = {k: int(v) for k, v in (item.split("=") for item in line.split()[1:])}
        load["seconds"] = self.args.duration
        results["load"] = load
        failed = load["bad"] + load["non2xx"] + load["connect"] + load["read"] + load["write"] + load["timeout"]
        results["failed_calls"] = failed
        log(f"load: {load}")
        if failed:
            raise RuntimeError(f"{failed} calls failed through haproxy")
        return results

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["s3", "azblob"], required=True)
    parser.add_argument("--server", required=True, help="LyftServing.Server.dll")
    parser.add_argument("--tool", required=True, help="lyftserving.dll")
    parser.add_argument("--duration", type=int, default=40, help="seconds of load (default 40)")
    parser.add_argument("--limit", type=float, default=15, help="seconds every replica must converge within (default 15)")
    parser.add_argument("--json", help="write the measured figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args()
    fleet = Fleet(args)
    try:
        results = fleet.run()
        results["ok"] = True
    except Exception as error:  # the run failed: say why, keep the logs
        log(f"FAILED: {error} (logs in {fleet.work})")
        args.keep = True
        results = {"store": args.store, "ok": False, "error": str(error)}
    finally:
        fleet.stop()
    print(json.dumps(results, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
