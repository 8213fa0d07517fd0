#!/usr/bin/env bash
# Idempotent set-up of a development or CI machine (Debian 12 with Python 3.11
# and Node 20): Debian packages, the Python virtualenv in .venv/ and the npm
# packages in node_modules/. Safe to run again and again: when nothing changed
# it does nothing and prints nothing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# --- Debian packages ---------------------------------------------------------
# chromium: browser tests; fonts-noto-cjk: CJK glyphs in screenshots and PDFs (fontconfig:
# fc-list, with which the PDF build checks that the fonts are there);
# nginx + brotli_static module: serving tests; poppler-utils: PDF text checks;
# a Java runtime (11 or later) runs the Nu HTML Checker (vnu.jar); hugo: the
# comparison build of `invoke bench-build`.
packages=(chromium fontconfig fonts-noto-cjk git nginx libnginx-mod-http-brotli-static poppler-utils
          hugo)

java_works() {
    local version
    version=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1) || return 1
    [[ -n $version ]] && (( version >= 11 ))
}
java_works || packages+=(default-jre-headless)

# Debian's own python3 ships without ensurepip unless python3-venv is installed.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    packages+=(python3-venv)
fi

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$pkg")
done

if (( ${#missing[@]} > 0 )); then
    sudo=()
    if (( EUID != 0 )) && command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    fi
    if ! command -v apt-get >/dev/null 2>&1 || { (( EUID != 0 )) && (( ${#sudo[@]} == 0 )); }; then
        printf 'setup: error: missing Debian packages: %s\n' "${missing[*]}" >&2
        printf 'setup: install them as root (apt-get install --no-install-recommends %s), then run this again.\n' \
            "${missing[*]}" >&2
        exit 1
    fi
    log "installing Debian packages: ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- Python virtualenv -------------------------------------------------------
command -v python3 >/dev/null 2>&1 || die "python3 (3.11) not found on PATH"
python3 -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' \
    || die "Python 3.11 or later is required, found $(python3 --version 2>&1)"

if ! .venv/bin/python -c '' >/dev/null 2>&1; then
    log "creating virtualenv .venv/"
    python3 -m venv --clear .venv
fi

req_stamp=.venv/.setup-requirements.sha256
req_sum=$(sha256sum requirements.txt requirements-dev.txt)
if [[ ! -f $req_stamp || $(<"$req_stamp") != "$req_sum" ]]; then
    log "installing Python packages from requirements-dev.txt"
    .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off \
        -r requirements-dev.txt
    printf '%s\n' "$req_sum" >"$req_stamp"
fi

# --- npm packages ------------------------------------------------------------
npm_stamp=node_modules/.setup-package-lock.sha256
lock_sum=$(sha256sum package-lock.json)
if [[ ! -f $npm_stamp || $(<"$npm_stamp") != "$lock_sum" ]]; then
    command -v npm >/dev/null 2>&1 || die "npm (Node 20) not found on PATH"
    log "installing npm packages from package-lock.json"
    # No dependency needs an install script; vnu-jar's only fetches a Java
    # runtime, which the Debian package above provides.
    npm ci --ignore-scripts --no-audit --no-fund
    printf '%s\n' "$lock_sum" >"$npm_stamp"
fi
