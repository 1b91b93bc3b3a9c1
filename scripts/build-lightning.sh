#!/usr/bin/env bash
# Builds btcd and LND (with lncli) for the regtest network from the Go module proxy.
#
# Idempotent: binaries live outside the clone, keyed by version, and a rerun is a
# no-op check. Module and build caches are kept next to them so rebuilds are fast.
#
#   cache root   ${MOSTRO_CACHE_DIR:-$HOME/.cache/mostro-rs}
#   binaries     $root/go/bin/btcd-<v>/{btcd,btcctl}, $root/go/bin/lnd-<v>/{lnd,lncli}
#   caches       $root/go/mod (GOMODCACHE), $root/go/build (GOCACHE)
#
# Usage: scripts/build-lightning.sh [--force]
set -euo pipefail

BTCD_VERSION=v0.25.0
LND_VERSION=v0.21.2-beta
LND_TAGS="signrpc walletrpc chainrpc invoicesrpc peersrpc"

root=${MOSTRO_CACHE_DIR:-$HOME/.cache/mostro-rs}
go_root=$root/go
force=0
[[ ${1:-} == --force ]] && force=1

log() { printf '[build-lightning] %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
    if [[ -x /usr/local/go/bin/go ]]; then
        PATH=/usr/local/go/bin:$PATH
    else
        log "go toolchain not found (install Go >= 1.24 or put it on PATH)"
        exit 1
    fi
fi

export GOTOOLCHAIN=local
export GOMODCACHE=$go_root/mod
export GOCACHE=$go_root/build
export GOFLAGS=-modcacherw
export CGO_ENABLED=0
mkdir -p "$go_root/bin" "$go_root/src"

# Only one build at a time per cache root.
exec 9>"$go_root/.build.lock"
if ! flock -n 9; then
    log "another build holds $go_root/.build.lock; waiting for it"
    flock 9
fi

# Runs `go build -v`-style output through a counter: "[n/total] package".
progress() {
    local total=$1
    awk -v total="$total" '!/^go: downloading/ { n++; printf "[build-lightning] [%d/%d] %s\n", n, total, $0; fflush(); next } { print "[build-lightning] " $0; fflush() }' >&2
}

build_btcd() {
    local out=$go_root/bin/btcd-$BTCD_VERSION
    if [[ $force == 0 && -x $out/btcd && -x $out/btcctl ]]; then
        log "btcd $BTCD_VERSION: up to date ($out)"
        return
    fi
    log "btcd $BTCD_VERSION: building"
    local start=$SECONDS
    rm -rf "$out.tmp"
    mkdir -p "$out.tmp"
    GOBIN=$out.tmp go install -v \
        "github.com/btcsuite/btcd@$BTCD_VERSION" \
        "github.com/btcsuite/btcd/cmd/btcctl@$BTCD_VERSION" 2>&1 | progress "?"
    rm -rf "$out"
    mv "$out.tmp" "$out"
    log "btcd $BTCD_VERSION: built in $((SECONDS - start)) s"
}

build_lnd() {
    local out=$go_root/bin/lnd-$LND_VERSION
    if [[ $force == 0 && -x $out/lnd && -x $out/lncli ]]; then
        log "lnd $LND_VERSION: up to date ($out)"
        return
    fi
    local start=$SECONDS
    # The tag's go.mod has remote replaces, so `go install pkg@tag` refuses it:
    # build inside a writable copy of the downloaded module instead.
    log "lnd $LND_VERSION: downloading the module"
    local mod_dir
    mod_dir=$(go mod download -json "github.com/lightningnetwork/lnd@$LND_VERSION" |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    if [[ -z $mod_dir || ! -d $mod_dir ]]; then
        log "could not locate the downloaded lnd module"
        exit 1
    fi
    local src=$go_root/src/lnd-$LND_VERSION
    rm -rf "$src"
    cp -r "$mod_dir" "$src"
    chmod -R u+w "$src"
    cd "$src"
    log "lnd $LND_VERSION: downloading dependencies"
    go mod download
    local total
    total=$(go list -tags "$LND_TAGS" -deps ./cmd/lnd ./cmd/lncli | wc -l)
    log "lnd $LND_VERSION: compiling (up to $total packages; 10-20 min cold on 2 cores)"
    rm -rf "$out.tmp"
    mkdir -p "$out.tmp"
    go build -v -tags "$LND_TAGS" -o "$out.tmp/" ./cmd/lnd ./cmd/lncli 2>&1 | progress "$total"
    rm -rf "$out"
    mv "$out.tmp" "$out"
    log "lnd $LND_VERSION: built in $((SECONDS - start)) s"
}

build_btcd
build_lnd
log "done: $go_root/bin"
