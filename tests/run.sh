#!/usr/bin/env bash
# Runs every Bifrost test and ends with one line "N passed, N failed[, N skipped]".
# As root it first installs the real third-party peers the tests drive (Debian packages); as a normal user the tests
# that need a missing peer are skipped with the reason.
#   tests/run.sh            every test
#   tests/run.sh --fast     without the slow EndToEnd category
#   tests/run.sh -- ARGS    extra arguments for dotnet test (e.g. --filter Name~Crash)
set -uo pipefail
cd "$(dirname "$0")/.."

fast=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) fast=1 ;;
    --) shift; extra=("$@"); break ;;
    *) extra+=("$1") ;;
  esac
  shift
done

# Debian packages of the real peers the tests drive:
#   python3-ironicclient: the `baremetal` CLI;      openipmi, ipmitool, freeipmi-tools: a BMC (ipmi_sim) and clients;
#   isc-dhcp-client, udhcpc, busybox, nmap, kea-admin (perfdhcp), dnsmasq-base: DHCP clients and a site DHCP server;
#   tftp-hpa, atftp, curl: TFTP clients;            qemu-system-x86, ipxe-qemu, ovmf, ipxe: firmware that PXE-boots;
#   tshark: golden-byte captures;                   iproute2: network namespaces;
#   bsdutils: `script`, a pseudo-terminal for the CLI progress test;
#   debootstrap, lintian, systemd (systemd-analyze), python3: the Debian package test (packaging/);
#   qemu-utils (qemu-img, qemu-io): the reference for the qcow2 raw view; gzip, zstd: compressed images.
#   cpio, kmod, binutils, zstd, mtools, util-linux: the deploy ramdisk build (packaging/ramdisk) and its boot test;
#   nettle-bin: nettle-hash, the image hasher the ramdisk ships, for the agent tests on the host.
peers=(python3-ironicclient openipmi ipmitool freeipmi-tools isc-dhcp-client udhcpc busybox nmap kea-admin dnsmasq-base
       tftp-hpa atftp curl qemu-system-x86 ipxe-qemu ovmf ipxe tshark iproute2 bsdutils
       debootstrap lintian systemd python3 ndisc6
       cpio kmod binutils zstd mtools util-linux qemu-utils gzip nettle-bin)
if [ "$(id -u)" = 0 ]; then
  missing=()
  for p in "${peers[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing test peers: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || echo "warning: could not install ${missing[*]}; the tests that need them will fail" >&2
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=$(mktemp -d /tmp/bifrost-test-results.XXXXXX)
trap 'rm -rf "$results"' EXIT

if ! dotnet build Bifrost.sln -nologo -v quiet; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

filter=()
[ $fast = 1 ] && filter=(--filter "TestCategory!=EndToEnd")
# One project at a time, each with its own result file: parallel runs can overwrite each other's TRX names, and
# the end-to-end tests start real processes that compete for the two cores anyway.
rc=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    "${filter[@]}" "${extra[@]}" || rc=$?
done

# Count from the TRX files: dotnet test's own summary is per assembly and not what CI reads.
passed=0 failed=0 total=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$((total + $(get total)))
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
done
skipped=$((total - passed - failed))
if [ $rc -ne 0 ] && [ $failed -eq 0 ]; then
  echo "dotnet test exited with $rc without a failed test: counting the aborted run as a failure"
  failed=1
fi
if [ $total -eq 0 ]; then
  echo "no test ran"
  failed=$((failed > 0 ? failed : 1))
fi

line="$passed passed, $failed failed"
[ $skipped -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ $failed -eq 0 ]
