#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# units.sh - every systemd unit that `meson install` installs passes `systemd-analyze verify`
# as installed: the build ($BUILD) is installed into a scratch root (meson install --destdir),
# the host's own units are copied beside them (the targets and libvirtd.service they name;
# verify resolves every path inside the root), and each unit is verified there, so an
# ExecStart that names a binary the install does not put there fails too. systemd need not run
# (it is not PID 1 on these machines). The tmpfiles.d line is run into the root too. Exit 1
# when a unit is refused or verify warns; 77 (skip) without systemd-analyze.
set -euo pipefail
: "${BUILD:?BUILD: the build directory}" "${MESON:?MESON: the meson to install with}"
command -v systemd-analyze >/dev/null || { echo "units: no systemd-analyze: skipped"; exit 77; }

root=$(mktemp -d /tmp/lanswitch-units.XXXXXX)
trap 'rm -rf "$root"' EXIT
"$MESON" install -C "$BUILD" --no-rebuild --quiet --destdir "$root" >"$root.log" 2>&1 ||
	{ cat "$root.log"; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
mkdir -p "$root/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"

units=$(cd "$root" && find . -path ./usr/lib/systemd -prune -o -path '*/systemd/system/*' \
	-type f -print | sed 's|^\.||' | sort)
[ -n "$units" ] || { echo "units: meson install installed no systemd unit"; exit 1; }
fails=0
for u in $units; do
	# verify exits 0 on warnings (an unknown key is ignored, and so would be what it meant)
	if out=$(systemd-analyze verify --man=no --root="$root" "$u" 2>&1) && [ -z "$out" ]; then
		echo "units: $u: verified"
	else
		echo "units: $u: refused"
		printf '%s\n' "$out" | sed 's/^/  /'
		fails=$((fails + 1))
	fi
done
# the tmpfiles.d line: /run/lanswitch/vhost as QEMU needs it (the root's own users)
mkdir -p "$root/etc"
cp /etc/passwd /etc/group "$root/etc/"
if systemd-tmpfiles --root="$root" --create lanswitch.conf &&
	[ "$(stat -c '%U %a' "$root/run/lanswitch/vhost")" = "libvirt-qemu 770" ]; then
	echo "units: tmpfiles.d/lanswitch.conf: /run/lanswitch/vhost libvirt-qemu 0770"
else
	echo "units: tmpfiles.d/lanswitch.conf: /run/lanswitch/vhost not made as QEMU needs it"
	fails=$((fails + 1))
fi
[ "$fails" -eq 0 ]
