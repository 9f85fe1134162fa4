#!/usr/bin/env bash
# System packages that some tests need (Chromium for the widget, nginx for the cache
# integration test). Installed when missing and we are root; otherwise those tests skip
# and say why.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
# PostgreSQL for the subscription tests (they start a throw-away cluster with initdb).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
# Feed clients for the cross-client suite (tests/test_clients_*.py): Debian's nodejs and
# npm, Go with Debian's gofeed (built in GOPATH mode), newsboat, sfeed and rss2email.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -d /usr/share/gocode/src/github.com/mmcdole/gofeed ] || missing+=(golang-github-mmcdole-gofeed-dev)
command -v newsboat >/dev/null 2>&1 || missing+=(newsboat)
command -v sfeed >/dev/null 2>&1 || missing+=(sfeed)
command -v r2e >/dev/null 2>&1 || missing+=(rss2email)
# The Node feed clients, at the versions tests/clients/node/package-lock.json pins (into
# its node_modules, git-ignored), once npm is there: on every way out of this script.
node_clients() {
    if [ ! -d tests/clients/node/node_modules ] && command -v npm >/dev/null 2>&1; then
        npm ci --prefix tests/clients/node --no-audit --no-fund >/dev/null 2>&1 \
            || echo "test-deps: npm could not install the Node feed clients; their tests will be skipped" >&2
    fi
}
trap node_clients EXIT
# axe-core for the accessibility tests, from npm at the version package-lock.json pins
# (into tests/browser/node_modules, git-ignored); without npm those tests skip.
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null 2>&1; then
    npm ci --prefix tests/browser --no-audit --no-fund >/dev/null 2>&1 \
        || echo "test-deps: npm could not install axe-core; the accessibility tests will be skipped" >&2
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "test-deps: not root or no apt-get; tests needing ${missing[*]} will be skipped" >&2
    exit 0
fi
echo "test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || echo "test-deps: could not install ${missing[*]}; those tests will be skipped" >&2
exit 0
