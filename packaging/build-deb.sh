#!/usr/bin/env bash
# Builds the Debian package: packaging/build-deb.sh [OUTDIR]  →  OUTDIR/bifrost_VERSION_amd64.deb (default: dist/)
# A self-contained single-file publish (linux-x64; the runtime packs come from NuGet), the root appsettings.json with
# installed paths as the conffile /etc/bifrost/appsettings.json, systemd/bifrost.service, maintainer scripts from
# packaging/debian/. Needs dotnet, dpkg-deb, python3, gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-dist}")
version=$(sed -n '1s/^bifrost (\([^)]*\)).*/\1/p' packaging/debian/changelog)
work=$(mktemp -d /tmp/bifrost-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"

# Publish from a copy of the sources: a runtime-specific restore rewrites obj/project.assets.json, which would race
# with (and break) a build of the working tree running at the same time, e.g. the tests that call this script.
mkdir -p "$work/src"
tar -c --exclude=bin --exclude=obj src Directory.Build.props Directory.Packages.props $(ls -d .editorconfig global.json 2>/dev/null) \
  | tar -x -C "$work/src"
dotnet publish "$work/src/src/Bifrost.Host" -nologo -v quiet -c Release -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:DebugType=none -p:GenerateDocumentationFile=false -o "$work/publish"

install -d "$root/DEBIAN" "$root/usr/lib/bifrost" "$root/usr/bin" "$root/etc/bifrost" "$root/lib/systemd/system" \
  "$root/usr/share/doc/bifrost" "$root/usr/share/lintian/overrides"
install -m 0755 "$work/publish/bifrost" "$root/usr/lib/bifrost/bifrost"
# SQLite's native library cannot live inside the bundle without extracting it at run time (to a writable $HOME,
# which the hardened unit does not have); it sits next to the executable, where the runtime looks first.
install -m 0644 "$work/publish/libe_sqlite3.so" "$root/usr/lib/bifrost/libe_sqlite3.so"
strip --strip-unneeded "$root/usr/lib/bifrost/libe_sqlite3.so"
ln -s ../lib/bifrost/bifrost "$root/usr/bin/bifrost"

# The shipped configuration with installed paths: state in /var/lib/bifrost, http_basic (loopback only by default;
# with no user yet every request but / and /v1 is refused until 'bifrost user add NAME').
python3 - appsettings.json "$root/etc/bifrost/appsettings.json" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    config = json.load(f)
b = config["Bifrost"]
b["StateDir"] = "/var/lib/bifrost"
b.setdefault("Api", {})["Auth"] = "http_basic"
b["Api"]["UsersFile"] = "/var/lib/bifrost/users"
b.setdefault("Logging", {})["File"] = ""
with open(sys.argv[2], "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
PY
chmod 0644 "$root/etc/bifrost/appsettings.json"
install -m 0644 systemd/bifrost.service "$root/lib/systemd/system/bifrost.service"
# The deploy ramdisk builder, run by 'bifrost ramdisk build' (it looks for ramdisk/build.sh next to the executable).
install -D -m 0755 packaging/ramdisk/build.sh packaging/ramdisk/init -t "$root/usr/lib/bifrost/ramdisk"
install -D -m 0755 packaging/ramdisk/agent/agent.sh packaging/ramdisk/agent/udhcpc.script -t "$root/usr/lib/bifrost/ramdisk/agent"
install -m 0644 packaging/ramdisk/agent/lib.sh packaging/ramdisk/agent/http.sh packaging/ramdisk/agent/commands.sh \
  "$root/usr/lib/bifrost/ramdisk/agent"

install -m 0644 packaging/debian/copyright "$root/usr/share/doc/bifrost/copyright"
install -m 0644 README.md "$root/usr/share/doc/bifrost/README.md"
gzip -9n -c packaging/debian/changelog > "$root/usr/share/doc/bifrost/changelog.gz"
chmod 0644 "$root/usr/share/doc/bifrost/changelog.gz"
install -m 0644 packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/bifrost"

for script in postinst prerm postrm; do install -m 0755 "packaging/debian/$script" "$root/DEBIAN/$script"; done
install -m 0644 packaging/debian/conffiles "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" packaging/debian/control.in > "$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | sort -z \
  | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control"

# gzip, not xz: xz of the 100 MB executable takes minutes on a busy 2-core CI machine.
mkdir -p "$out"
deb="$out/bifrost_${version}_amd64.deb"
dpkg-deb --build --root-owner-group -Zgzip "$root" "$deb" >/dev/null
echo "$deb"
