/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The directory of the vhost-user sockets (--socket-dir, /run/lanswitch/vhost by default).
 *
 * QEMU creates each socket there (the interface's mode='server': QEMU owns the socket, the
 * switch connects as a client, so either side can restart), and QEMU runs as the user
 * libvirt-qemu on Debian; lanswitchd runs as root and connects. So lanctl creates the
 * directory when it is missing: owner libvirt-qemu, group lanswitch when that group exists
 * (the members who may use lanctl) else root, mode 0770, so that no one else can plant or
 * remove a socket there. Missing parents are made 0755: QEMU must reach the directory. A
 * directory that exists is left as it is: the unit or its administrator made it so.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm_cmd.h"

#define VM_SOCKDIR_USER "libvirt-qemu"
#define VM_SOCKDIR_GROUP "lanswitch"
#define VM_SOCKDIR_MODE 0770

static int vm_sockdir_fail(const char *dir, const char *what, int err)
{
	fprintf(stderr, "lanctl: socket directory %s: %s: %s\n", dir, what, strerror(err));
	return -err;
}

/* Every missing parent of path, 0755. */
static int vm_sockdir_parents(const char *dir)
{
	char path[PATH_MAX], *slash;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return vm_sockdir_fail(dir, "path", ENAMETOOLONG);
	for (slash = strchr(path + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return vm_sockdir_fail(dir, path, errno);
		*slash = '/';
	}
	return 0;
}

int vm_sockdir_make(const char *dir)
{
	struct passwd *user;
	struct group *group;
	struct stat st;
	gid_t gid = 0;
	int ret;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return vm_sockdir_fail(dir, "exists", ENOTDIR);
		return 0;
	}
	if (errno != ENOENT)
		return vm_sockdir_fail(dir, "stat", errno);
	user = getpwnam(VM_SOCKDIR_USER);
	if (user == NULL) {
		fprintf(stderr,
		        "lanctl: socket directory %s: no user " VM_SOCKDIR_USER
		        ", which QEMU runs as (is libvirt-daemon-system installed?)\n",
		        dir);
		return -ENOENT;
	}
	group = getgrnam(VM_SOCKDIR_GROUP);
	if (group != NULL)
		gid = group->gr_gid;

	ret = vm_sockdir_parents(dir);
	if (ret < 0)
		return ret;
	/* 0700 until it is QEMU's: never a moment with another owner and the wide mode */
	if (mkdir(dir, 0700) < 0)
		return vm_sockdir_fail(dir, "mkdir", errno);
	if (chown(dir, user->pw_uid, gid) < 0) {
		ret = vm_sockdir_fail(dir, "chown " VM_SOCKDIR_USER, errno);
		goto remove_dir;
	}
	if (chmod(dir, VM_SOCKDIR_MODE) < 0) {
		ret = vm_sockdir_fail(dir, "chmod", errno);
		goto remove_dir;
	}
	return 0;
remove_dir:
	rmdir(dir);
	return ret;
}
