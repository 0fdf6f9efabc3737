#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# setup.sh - make this machine ready to build, run and test lanswitch.
#
# Idempotent: installs only the Debian packages that are missing, raises the number of 2 MiB
# hugepages to a target (never lowers it), mounts hugetlbfs at /dev/hugepages if nothing is
# mounted there, and creates /run/lanswitch. Prints one line per action. Run as root.
#
# env: LANSWITCH_HUGEPAGES  2 MiB pages to have at least (default 1024 = 2 GiB)
set -euo pipefail

# What the build, the demo and the tests use. Names checked against Debian 12 (bookworm).
# dpdk-dev holds dpdk-testpmd (the e2e self-test's switch and bench's no-lookup limit).
# xz-utils and binutils (readelf) are for the e2e guest image: they unpack the PVH vmlinux.
# ethtool and python3: the afxdp namespace tests (checksum offload off, rawsend.py frames).
# libvirt: lanctl's vm commands link libvirt-dev and libxml2-dev; the vm tests run a libvirtd
# (libvirt-daemon-system, which also makes the libvirt-qemu user) and look with virsh and
# virt-xml-validate (libvirt-clients).
# clang-14 and libclang-rt-14-dev: the fuzz targets (libFuzzer with ASan and UBSan, its runtime
# in compiler-rt) in build-fuzz, tests/fuzz/run.
PACKAGES=(
	build-essential meson ninja-build pkg-config
	libdpdk-dev dpdk dpdk-dev libjson-c-dev libcmocka-dev libsystemd-dev
	libnl-3-dev libnl-route-3-dev libbpf-dev libxdp-dev
	libvirt-daemon-system libvirt-clients libvirt-dev libxml2-dev
	clang llvm bpftool clang-format jq clang-14 libclang-rt-14-dev
	iputils-ping iproute2 iperf3 netsniff-ng tcpdump ethtool python3
	busybox-static qemu-system-x86 cpio xz-utils binutils
)
HUGEPAGES_TARGET=${LANSWITCH_HUGEPAGES:-1024}
HUGEPAGES_MNT=/dev/hugepages
RUN_DIR=/run/lanswitch

die() {
	echo "setup: $*" >&2
	exit 1
}

# Prints the packages of PACKAGES that dpkg does not list as installed.
missing_packages() {
	local p st
	for p in "${PACKAGES[@]}"; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$st" = installed ] || printf '%s\n' "$p"
	done
}

# Runs apt-get quietly; on failure shows the tail of its log and fails.
apt_quiet() {
	local log
	log=$(mktemp /tmp/lanswitch-setup-apt.XXXXXX)
	# another session may hold the dpkg lock for a while: wait for it instead of failing
	if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q "$@" \
		>"$log" 2>&1; then
		echo "setup: apt-get $* failed; last lines of $log:" >&2
		tail -n 25 "$log" >&2
		exit 1
	fi
	rm -f "$log"
}

install_packages() {
	local missing
	mapfile -t missing < <(missing_packages)
	if [ ${#missing[@]} -eq 0 ]; then
		echo "packages: all present (${#PACKAGES[@]})"
		return
	fi
	apt_quiet update
	apt_quiet install -y --no-install-recommends "${missing[@]}"
	local still
	mapfile -t still < <(missing_packages)
	[ ${#still[@]} -eq 0 ] || die "still missing after apt-get install: ${still[*]}"
	echo "installed: ${missing[*]}"
}

mount_hugetlbfs() {
	if mountpoint -q "$HUGEPAGES_MNT" && [ "$(stat -f -c %T "$HUGEPAGES_MNT")" = hugetlbfs ]; then
		echo "hugetlbfs: already mounted at $HUGEPAGES_MNT"
		return
	fi
	mkdir -p "$HUGEPAGES_MNT"
	mount -t hugetlbfs -o pagesize=2M nodev "$HUGEPAGES_MNT" ||
		die "could not mount hugetlbfs at $HUGEPAGES_MNT"
	echo "hugetlbfs: mounted at $HUGEPAGES_MNT"
}

# Raises the 2 MiB pool to HUGEPAGES_TARGET; never lowers it, since other processes on this
# machine may be using what is reserved.
reserve_hugepages() {
	local f=/proc/sys/vm/nr_hugepages have got
	[[ $HUGEPAGES_TARGET =~ ^[0-9]+$ ]] ||
		die "LANSWITCH_HUGEPAGES must be a number of 2 MiB pages, not '$HUGEPAGES_TARGET'"
	have=$(cat "$f")
	if [ "$have" -ge "$HUGEPAGES_TARGET" ]; then
		echo "hugepages: $have reserved (target $HUGEPAGES_TARGET), left as is"
		return
	fi
	echo "$HUGEPAGES_TARGET" >"$f" || true
	got=$(cat "$f")
	if [ "$got" -lt "$HUGEPAGES_TARGET" ]; then
		# The kernel reserved what it could find. Give back our partial raise (it would
		# starve the rest of the machine for nothing) and say so rather than half-work.
		echo "$have" >"$f" || true
		die "hugepages: asked for $HUGEPAGES_TARGET 2 MiB pages, the kernel could reserve" \
			"only $got (left at $have); free some memory or set LANSWITCH_HUGEPAGES lower"
	fi
	echo "hugepages: raised from $have to $got (2 MiB pages)"
}

make_run_dir() {
	if [ -d "$RUN_DIR" ]; then
		echo "run dir: $RUN_DIR present"
	else
		mkdir -p "$RUN_DIR"
		echo "run dir: created $RUN_DIR"
	fi
}

main() {
	[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and reserves hugepages)"
	install_packages
	mount_hugetlbfs
	reserve_hugepages
	make_run_dir
}

main "$@"
