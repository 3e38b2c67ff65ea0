#!/bin/bash
# Container health: HTTP 200 from the service's actuator health (503 while a model or the broker is DOWN).
# Plain bash /dev/tcp, so the runtime image needs no curl. MANAGEMENT_SERVER_PORT wins where a service serves
# actuator on its own port.
set -euo pipefail
port="${MANAGEMENT_SERVER_PORT:-${SPECULUM_HEALTH_PORT:?}}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET /actuator/health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r -t 3 status_line <&3
[[ "$status_line" =~ ^HTTP/1\.[01]\ 200 ]]
