#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# guest-image.sh - build the e2e test guest (a Debian kernel + a busybox initramfs) in DIR,
# once: a complete image whose recipe and kernel version still match is reused. The
# benchmark's restart-outage guests are built by it too, with their own init.
#
# usage: guest-image.sh [--force] [--init SCRIPT] [--no-iperf] DIR
#   --init SCRIPT  the guest's /init (default: guest-init.sh beside this script)
#   --no-iperf     leave iperf3 and its libraries out
#
# DIR gets:
#   kernel       the uncompressed vmlinux when it carries a PVH entry note (QEMU boots it
#                directly with -kernel: no decompressor, no real-mode setup, ~4 s less per
#                boot under TCG), else the bzImage
#   initrd.cpio  an uncompressed newc cpio (gunzip under TCG costs ~0.7 s per boot): static
#                busybox, the init script as /init, the virtio-net modules, iperf3 and its libs
#   stamp        what the image was built from; a mismatch means rebuild
#
# The kernel is the versioned package that linux-image-amd64 depends on (the unversioned
# one is an empty metapackage), fetched with apt-get download; only the few files we need
# are unpacked from it.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR= # scratch space of a build, removed on exit
INIT_SCRIPT=$E2E_DIR/guest-init.sh
WITH_IPERF=1
# The virtio-net driver and what it needs, in load order (guest-init.sh loads them so).
MODULES=(
	drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev
	drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci net/core/failover
	drivers/net/net_failover drivers/net/virtio_net
)

die() {
	echo "guest-image: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 [--force] [--init SCRIPT] [--no-iperf] DIR" >&2
	exit 2
}

# Prints the versioned kernel package that linux-image-amd64 names, e.g.
# linux-image-6.1.0-56-amd64; nothing when apt's lists do not say.
kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1
}

# What an image is built from: this script, the guest's init and the kernel package.
recipe() {
	local kpkg=$1
	echo "kernel=$kpkg busybox=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null)" \
		"iperf3=$([ $WITH_IPERF = 1 ] && dpkg-query -W -f='${Version}' iperf3 2>/dev/null || echo none)" \
		"scripts=$(cat "$0" "$INIT_SCRIPT" | sha256sum | cut -c1-16)"
}

image_is_complete() {
	local dir=$1 want=$2
	[ -s "$dir/kernel" ] && [ -s "$dir/initrd.cpio" ] && [ -s "$dir/stamp" ] &&
		[ "$(cat "$dir/stamp")" = "$want" ]
}

# Downloads KPKG into DIR; returns non-zero (leaving DIR/apt.log) when apt cannot.
download_kernel() {
	local kpkg=$1 dir=$2
	(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$kpkg") >>"$dir/apt.log" 2>&1
}

# Unpacks only /boot/vmlinuz-* and the modules we load from the kernel package in WORK.
unpack_kernel() {
	local work=$1 deb pats=() m
	deb=$(ls "$work"/linux-image-*.deb | head -n 1)
	pats=('./boot/vmlinuz-*')
	for m in "${MODULES[@]}"; do
		pats+=("./lib/modules/*/kernel/$m.ko" "./lib/modules/*/kernel/$m.ko.xz")
	done
	mkdir -p "$work/root"
	# tar exits non-zero for patterns that match nothing (.ko vs .ko.xz): check files below
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/root" --wildcards "${pats[@]}" \
		2>/dev/null || true
	ls "$work"/root/boot/vmlinuz-* >/dev/null 2>&1 || die "no /boot/vmlinuz-* in $deb"
}

# Prints the path of the kernel to boot: the vmlinux inside the bzImage when it has a PVH
# entry note (ELF note type 0x12, XEN_ELFNOTE_PHYS32_ENTRY), else the bzImage itself.
extract_vmlinux() {
	local work=$1 bz off
	bz=$(ls "$work"/root/boot/vmlinuz-* | head -n 1)
	off=$(grep -abo $'\xfd7zXZ' "$bz" | head -n 1 | cut -d: -f1 || true)
	if [ -n "$off" ]; then
		# xz complains about the bytes after the stream; the ELF check below is what counts
		tail -c +$((off + 1)) "$bz" | xz -dc >"$work/vmlinux" 2>/dev/null || true
		if [ -s "$work/vmlinux" ] && readelf -n "$work/vmlinux" 2>/dev/null |
			grep -Eq 'Unknown note type: \(0x00000012\)|PHYS32_ENTRY'; then
			echo "$work/vmlinux"
			return
		fi
	fi
	echo "$bz"
}

copy_iperf3() {
	local r=$1 lib
	command -v iperf3 >/dev/null || die "iperf3 is not installed"
	cp "$(command -v iperf3)" "$r/bin/iperf3"
	for lib in $(ldd "$(command -v iperf3)" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
}

build_initramfs() {
	local work=$1 out=$2 r=$1/initramfs m src kdir bb=/bin/busybox
	rm -rf "$r"
	mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,tmp,lib/modules}
	# ldd fails on a static binary, and says so: that failure is the good case
	case "$(ldd "$bb" 2>&1 || true)" in
	*"not a dynamic"*) ;;
	*) die "$bb is not static: install busybox-static" ;;
	esac
	cp "$bb" "$r/bin/busybox"
	kdir=$(ls -d "$work"/root/lib/modules/*/kernel | head -n 1)
	for m in "${MODULES[@]}"; do
		src=$kdir/$m.ko
		if [ -e "$src" ]; then
			cp "$src" "$r/lib/modules/"
		elif [ -e "$src.xz" ]; then
			# busybox insmod takes plain ELF: unpack here rather than in every boot
			xz -dc "$src.xz" >"$r/lib/modules/$(basename "$m").ko"
		else
			die "module $m not in the kernel package"
		fi
	done
	[ $WITH_IPERF = 1 ] && copy_iperf3 "$r"
	cp "$INIT_SCRIPT" "$r/init"
	chmod 755 "$r/init"
	(cd "$r" && find . -print0 | cpio --null -o -H newc --quiet) >"$out"
}

main() {
	local force=0 dir kpkg want t0 kernel kind work
	while [ $# -gt 0 ]; do
		case "$1" in
		--force) force=1 ;;
		--init)
			[ $# -ge 2 ] && [ -f "$2" ] || usage
			INIT_SCRIPT=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
			shift
			;;
		--no-iperf) WITH_IPERF=0 ;;
		-h | --help) usage ;;
		-*) usage ;;
		*) break ;;
		esac
		shift
	done
	[ $# -eq 1 ] || usage
	dir=$1
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	# two test runs may start at once: one builds, the other waits and reuses
	exec 9>"$dir/.lock"
	flock -w 900 9 || die "timed out waiting for the lock on $dir"

	kpkg=$(kernel_package)
	if [ -z "$kpkg" ]; then
		# no apt lists (never updated): reuse whatever image is there, else ask apt
		if [ $force = 0 ] && [ -s "$dir/stamp" ] && [ -s "$dir/kernel" ] &&
			[ -s "$dir/initrd.cpio" ]; then
			kpkg=$(sed -n 's/^kernel=\([^ ]*\) .*/\1/p' "$dir/stamp")
		else
			apt-get update -q >/dev/null 2>&1 || true
			kpkg=$(kernel_package)
		fi
		[ -n "$kpkg" ] || die "apt-cache depends linux-image-amd64 names no kernel package"
	fi
	want=$(recipe "$kpkg")
	if [ $force = 0 ] && image_is_complete "$dir" "$want"; then
		echo "guest image: reused $dir ($kpkg)"
		return 0
	fi

	t0=$(date +%s)
	rm -f "$dir/stamp"
	work=$(mktemp -d "$dir/build.XXXXXX")
	BUILD_DIR=$work
	trap 'rm -rf "$BUILD_DIR"' EXIT
	if ! download_kernel "$kpkg" "$work"; then
		# stale package lists: the mirror moved on to a newer kernel ABI
		apt-get update -q >>"$work/apt.log" 2>&1 || true
		kpkg=$(kernel_package)
		want=$(recipe "$kpkg")
		download_kernel "$kpkg" "$work" || {
			tail -n 5 "$work/apt.log" >&2
			die "apt-get download ${kpkg:-linux-image-?} failed"
		}
	fi
	unpack_kernel "$work"
	kernel=$(extract_vmlinux "$work")
	[ "$kernel" = "$work/vmlinux" ] && kind="vmlinux, PVH" || kind="bzImage, no PVH note"
	build_initramfs "$work" "$work/initrd.cpio"
	mv "$kernel" "$dir/kernel"
	mv "$work/initrd.cpio" "$dir/initrd.cpio"
	# the stamp goes last: its presence says the rest is complete
	echo "$want" >"$dir/stamp"
	echo "guest image: built $dir ($kpkg, $kind, initrd $(($(stat -c %s \
		"$dir/initrd.cpio") / 1024)) KiB) in $(($(date +%s) - t0)) s"
}

main "$@"
