#!/usr/bin/env bash
# wuhao's two commands, for a fresh Debian 12 machine with Python 3.11:
#   ./dev.sh start   install everything, load the demo data, serve on http://127.0.0.1:8000
#   ./dev.sh test    install everything (also LibreOffice and Chromium), run the whole test suite
# System packages are installed with apt when run as root; otherwise the exact
# apt command is printed and the script stops if anything is missing.
set -euo pipefail
cd "$(dirname "$0")"

VENV=${WUHAO_VENV:-.venv}
PY=${PYTHON:-python3}

# What the service needs at run time: WeasyPrint (Pango, HarfBuzz subsetting,
# without which CJK font embedding is ~50x slower) and the CJK faces the official
# documents use (Song/Hei from Noto CJK, a Kai and a FangSong face); for OCR, the shared
# libraries of the opencv-python wheel that rapidocr-onnxruntime depends on (libGL, GLib).
RUNTIME_PKGS=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig
              fonts-noto-cjk fonts-lxgw-wenkai fonts-arphic-ukai fonts-cwtex-fs
              libgl1 libglib2.0-0)
# What the tests add: LibreOffice Writer (DOCX→PDF, .doc conversion), Chromium for
# the browser tests (Debian's, driven by Playwright), pdftoppm, curl.
TEST_PKGS=(libreoffice-writer chromium poppler-utils curl)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

missing_pkgs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$p"
  done
}

install_system() {
  command -v dpkg-query >/dev/null || { log "not a Debian system: install the equivalents of: $*"; return 0; }
  local missing
  missing=$(missing_pkgs "$@")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    log "installing system packages: $(echo $missing)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "Missing system packages. Run as root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $(echo $missing)" >&2
    exit 1
  fi
}

install_python() {
  local extras=$1 stamp
  [ -x "$VENV/bin/python" ] || { log "creating virtualenv $VENV"; "$PY" -m venv "$VENV"; }
  stamp="$(sha256sum pyproject.toml | cut -c1-16)-$extras"
  if [ "$(cat "$VENV/.wuhao-installed" 2>/dev/null)" != "$stamp" ]; then
    log "installing Python packages ($extras)"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".$extras"
    echo "$stamp" > "$VENV/.wuhao-installed"
  fi
}

ensure_services() {
  # PostgreSQL and Redis for the tests; started here if this machine has them stopped.
  if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && command -v redis-server >/dev/null; then
    log "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
  fi
}

case "${1:-}" in
  start)
    install_system "${RUNTIME_PKGS[@]}"
    install_python ""
    export WUHAO_DATA_DIR=${WUHAO_DATA_DIR:-$PWD/var}
    "$VENV/bin/wuhao" init
    # demo data only into an empty database: a restart never touches what is there; no token is
    # printed (ask for one with `wuhao token USERNAME`)
    "$VENV/bin/wuhao" demo --if-empty
    exec "$VENV/bin/wuhao" serve --host "${WUHAO_HOST:-127.0.0.1}" --port "${WUHAO_PORT:-8000}"
    ;;
  test)
    shift
    install_system "${RUNTIME_PKGS[@]}" "${TEST_PKGS[@]}"
    install_python "[test]"
    ensure_services
    # pytest-xdist: one worker per core (WUHAO_TEST_WORKERS=0 runs in this process); every
    # database, data directory, port and queue of a test is its own, so workers never meet.
    # worksteal: an idle worker takes tests queued for a busy one (the slow tier's tests last
    # from a second to minutes). A later -n in the arguments wins.
    # Bytecode for the run, kept in the virtualenv rather than next to the sources, even when
    # PYTHONDONTWRITEBYTECODE is set: without it every worker (and every process a test starts)
    # compiles the service again and pytest rewrites the test files and its plugins' packages
    # (hypothesis, schemathesis) again: collecting the suite took 13.4 s of CPU per worker, 6.4 s with it.
    unset PYTHONDONTWRITEBYTECODE
    export PYTHONPYCACHEPREFIX=${PYTHONPYCACHEPREFIX:-$(cd "$VENV" && pwd)/pycache}
    workers=${WUHAO_TEST_WORKERS:-auto}
    log "running the test suite (SQLite and PostgreSQL, $workers workers)"
    set +e
    "$VENV/bin/python" -m pytest -n "$workers" --dist worksteal "$@"
    status=$?
    set -e
    if [ "$status" = 5 ]; then echo "no tests ran" >&2; exit 1; fi
    exit "$status"
    ;;
  *)
    echo "usage: ./dev.sh start | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
