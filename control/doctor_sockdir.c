/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The doctor's check of the socket directory (doctor.h): QEMU creates each domain's vhost-user
 * socket there (mode='server'), as the user libvirt runs it as, so the directory must exist,
 * every directory above it must let that user through, and it must let that user create
 * files. vm_sockdir.c makes it so (owner libvirt-qemu, group lanswitch or root, 0770); the
 * fixes here restore what it makes.
 *
 * QEMU's user and group are qemu.conf's `user =` and `group =` (libvirt-qemu when unset, as
 * Debian builds libvirt), its other groups those of the user (libvirt calls getgrouplist).
 * Permissions are judged from the mode bits as the kernel does (owner, else group, else
 * others), root included: libvirt takes QEMU's capabilities away (clear_emulator_capabilities,
 * on by default), CAP_DAC_OVERRIDE with them. ACLs are not read.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "doctor.h"

#define DOCTOR_QEMU_CONF "/etc/libvirt/qemu.conf"
#define DOCTOR_QEMU_USER "libvirt-qemu"  /* libvirt's default on Debian */
#define DOCTOR_SOCKDIR_GROUP "lanswitch" /* vm_sockdir.c's, else root */
#define DOCTOR_GROUPS_MAX 64

/* Who QEMU runs as. */
struct doctor_qemu {
	char user[64];
	uid_t uid;
	gid_t gid;
	gid_t groups[DOCTOR_GROUPS_MAX];
	int ngroups;
};

/* qemu.conf's `key = "value"` into buf; false when it is not set (or not readable: root's). */
static bool doctor_qemu_conf(const char *key, char *buf, size_t len)
{
	char line[512], name[32], value[128];
	bool found = false;
	FILE *f = fopen(DOCTOR_QEMU_CONF, "r");

	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " %31[a-z_] = \"%127[^\"]\"", name, value) == 2 &&
		    strcmp(name, key) == 0)
			found = snprintf(buf, len, "%s", value) < (int)len;
	fclose(f);
	return found;
}

/* "+N" is a uid, a name is looked up, and a number that names no one is an id (qemu.conf). */
static struct passwd *doctor_qemu_passwd(const char *user)
{
	struct passwd *pw = user[0] == '+' ? NULL : getpwnam(user);
	char *end;
	long id;

	if (pw != NULL)
		return pw;
	id = strtol(user + (user[0] == '+'), &end, 10);
	return *end == '\0' && end != user && id >= 0 ? getpwuid((uid_t)id) : NULL;
}

static int doctor_qemu_find(struct doctor *d, struct doctor_qemu *q)
{
	char user[64] = DOCTOR_QEMU_USER, group[64];
	struct passwd *pw;
	struct group *gr;

	doctor_qemu_conf("user", user, sizeof(user));
	pw = doctor_qemu_passwd(user);
	if (pw == NULL) {
		doctor_addf(d, "apt-get install libvirt-daemon-system, which makes it",
		            "no user %s, whom QEMU runs as (" DOCTOR_QEMU_CONF ")", user);
		return -ENOENT;
	}
	snprintf(q->user, sizeof(q->user), "%s", pw->pw_name);
	q->uid = pw->pw_uid;
	q->gid = pw->pw_gid;
	if (doctor_qemu_conf("group", group, sizeof(group))) {
		gr = group[0] == '+' ? getgrgid((gid_t)atol(group + 1)) : getgrnam(group);
		if (gr != NULL)
			q->gid = gr->gr_gid;
	} else if ((gr = getgrnam(DOCTOR_QEMU_USER)) != NULL) {
		q->gid = gr->gr_gid; /* the group Debian's libvirt runs QEMU in */
	}
	q->ngroups = DOCTOR_GROUPS_MAX;
	if (getgrouplist(q->user, q->gid, q->groups, &q->ngroups) < 0)
		q->ngroups = DOCTOR_GROUPS_MAX; /* the first ones, which is all a host has */
	return 0;
}

/* Which of the file's classes QEMU is in: 'u', 'g' or 'o', as chmod writes them. */
static char doctor_class(const struct doctor_qemu *q, const struct stat *st)
{
	int i;

	if (st->st_uid == q->uid)
		return 'u';
	for (i = 0; i < q->ngroups; i++)
		if (q->groups[i] == st->st_gid)
			return 'g';
	return st->st_gid == q->gid ? 'g' : 'o';
}

/* Whether QEMU may do want (07 bits: 4 read, 2 write, 1 search) on st. */
static bool doctor_may(const struct doctor_qemu *q, const struct stat *st, unsigned int want)
{
	char c = doctor_class(q, st);
	unsigned int bits = (st->st_mode >> (c == 'u' ? 6 : c == 'g' ? 3 : 0)) & 07;

	return (bits & want) == want;
}

/* "root:root 0700" */
static void doctor_owner(const struct stat *st, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);
	char u[32], g[32];

	snprintf(u, sizeof(u), "%u", (unsigned int)st->st_uid);
	snprintf(g, sizeof(g), "%u", (unsigned int)st->st_gid);
	snprintf(buf, len, "%s:%s %04o", pw != NULL ? pw->pw_name : u, gr != NULL ? gr->gr_name : g,
	         (unsigned int)(st->st_mode & 07777));
}

/* The group vm_sockdir.c gives a directory it makes. */
static const char *doctor_sockdir_group(void)
{
	return getgrnam(DOCTOR_SOCKDIR_GROUP) != NULL ? DOCTOR_SOCKDIR_GROUP : "root";
}

static void doctor_sockdir_missing(struct doctor *d, const struct doctor_qemu *q)
{
	const char *group = doctor_sockdir_group();
	char fix[1024];
	int n;

	n = snprintf(fix, sizeof(fix),
	             "install -d -o %s -g %s -m 0770 %s (lanctl vm attach makes it too)", q->user,
	             group, d->socket_dir);
	/* /run is a tmpfs: gone at every boot, and no one makes it again before the domains */
	if (strncmp(d->socket_dir, "/run/", 5) == 0 && n < (int)sizeof(fix))
		snprintf(fix + n, sizeof(fix) - (size_t)n,
		         ", and for every boot this line in /etc/tmpfiles.d/lanswitch.conf: d %s "
		         "0770 "
		         "%s %s -",
		         d->socket_dir, q->user, group);
	doctor_addf(
	        d, fix,
	        "%s does not exist: QEMU cannot create the sockets of the domains on the switch",
	        d->socket_dir);
}

/* QEMU may pass through the directory path (above the socket directory); false after a
 * finding. */
static bool doctor_sockdir_reach(struct doctor *d, const struct doctor_qemu *q, const char *path)
{
	char owner[96], fix[PATH_MAX + 32];
	struct stat st;

	if (stat(path, &st) < 0 || doctor_may(q, &st, 01))
		return true; /* it exists (the directory below it does): unreadable to us, not QEMU
		              */
	doctor_owner(&st, owner, sizeof(owner));
	snprintf(fix, sizeof(fix), "chmod %c+x %s", doctor_class(q, &st), path);
	doctor_addf(d, fix, "%s: QEMU (user %s) cannot reach it: %s is %s", d->socket_dir, q->user,
	            path, owner);
	return false;
}

/* Every directory above the socket directory, from "/" down; false after a finding. */
static bool doctor_sockdir_parents(struct doctor *d, const struct doctor_qemu *q)
{
	char path[PATH_MAX], *slash;
	bool ok;

	if (!doctor_sockdir_reach(d, q, "/"))
		return false;
	snprintf(path, sizeof(path), "%s", d->socket_dir);
	for (slash = strchr(path + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		ok = doctor_sockdir_reach(d, q, path);
		*slash = '/';
		if (!ok)
			return false;
	}
	return true;
}

void doctor_sockdir(struct doctor *d)
{
	char owner[96], fix[PATH_MAX * 2 + 96];
	struct doctor_qemu q;
	struct stat st;

	if (doctor_qemu_find(d, &q) < 0)
		return;
	if (stat(d->socket_dir, &st) < 0) {
		if (errno == ENOENT)
			doctor_sockdir_missing(d, &q);
		else
			doctor_addf(d, "run lanctl doctor as root", "%s: %s", d->socket_dir,
			            strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(fix, sizeof(fix), "rm %s, then install -d -o %s -g %s -m 0770 %s",
		         d->socket_dir, q.user, doctor_sockdir_group(), d->socket_dir);
		doctor_addf(d, fix, "%s is not a directory", d->socket_dir);
		return;
	}
	if (!doctor_sockdir_parents(d, &q) || doctor_may(&q, &st, 03))
		return;
	doctor_owner(&st, owner, sizeof(owner));
	snprintf(fix, sizeof(fix), "chown %s:%s %s && chmod 0770 %s", q.user,
	         doctor_sockdir_group(), d->socket_dir, d->socket_dir);
	doctor_addf(d, fix, "%s is %s: QEMU (user %s) cannot create its sockets in it",
	            d->socket_dir, owner, q.user);
}
