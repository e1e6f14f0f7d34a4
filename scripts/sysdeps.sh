#!/usr/bin/env bash
# Install the system packages the test suite needs, only when missing (Debian/apt).
#   PostgreSQL server  -> real-database tests (started by the tests themselves, on loopback)
#   chromium           -> browser tests of the web UI (Playwright with executable_path)
#   pango/fonts        -> weasyprint PDF rendering; poppler-utils -> PDF page to PNG checks
#   Java runtime       -> pyspark's local session (Spark SQL screening tests; Spark 4 needs 17+)
# Set ABSCOPAL_SKIP_SYSDEPS=1 to skip (the tests that need a missing piece then fail loudly).
set -euo pipefail
[ "${ABSCOPAL_SKIP_SYSDEPS:-0}" = "1" ] && exit 0

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "sysdeps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
