#!/bin/sh
# Install a built package and start it once exactly as its unit does (user,
# environment, working directory, ExecStartPre, ExecStart), check /healthz and
# /readyz, then stop it. For machines without a running systemd.
# Usage: deploy/check-package.sh target/debian/gongkai_*.deb [listen-address]
set -eu
deb="$1"
# A free port by default: another service may already use a fixed one.
listen="${2:-127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
dpkg -i "$deb"
unit=/lib/systemd/system/gongkai.service
user=$(sed -n 's/^User=//p' "$unit")
env=$(sed -n 's/^Environment=//p' "$unit")
dir=$(sed -n 's/^WorkingDirectory=//p' "$unit")
pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
start=$(sed -n 's/^ExecStart=//p' "$unit")
echo "unit: User=$user $env WorkingDirectory=$dir"
echo "ExecStartPre: $pre"; echo "ExecStart: $start"
ls -ld /var/lib/gongkai /etc/gongkai /etc/gongkai/gongkai.toml
cd "$dir"
# shellcheck disable=SC2086
runuser -u "$user" -- env $env GONGKAI_LISTEN="$listen" GONGKAI_METRICS_LISTEN=127.0.0.1:0 sh -c "umask 027; $pre"
# shellcheck disable=SC2086
runuser -u "$user" -- env $env GONGKAI_LISTEN="$listen" GONGKAI_METRICS_LISTEN=127.0.0.1:0 sh -c "umask 027; exec $start" &
pid=$!
ok=""
for _ in $(seq 1 60); do
    if curl -fsS "http://$listen/healthz" >/dev/null 2>&1; then ok=1; break; fi
    sleep 1
done
curl -sS "http://$listen/readyz"; echo
kill "$pid"; wait "$pid" || true
ls -l /var/lib/gongkai
[ -n "$ok" ] && echo "package started and answered /healthz" || { echo "package did not answer"; exit 1; }
