/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading the config file and the state file, and writing the state file.
 *
 * The state file is the whole running configuration, rewritten atomically after every change
 * and stamped with a digest of the config file it grew from. At start: if the state's digest
 * matches the config file (or there is no config file), the state alone is loaded: it holds
 * the config file's commands and every runtime change since. If the config file changed
 * since (or there is no state), the config file is loaded and a new state is written:
 * editing the config file is how an operator says "start from this".
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api/words.h"
#include "ctl/cmd.h"
#include "ctl/config.h"
#include "ctl/fdb_ctl.h"
#include "ctl/log.h"
#include "ctl/port_table.h"
#include "ctl/state_seal.h"
#include "ctl/worker_ctl.h"

#define CONFIG_DIGEST_TAG "# config-digest: "

void config_describe(FILE *out)
{
	worker_describe(out);
	port_describe_all(out);
	fdb_describe(out);
}

uint64_t config_digest(const char *path)
{
	uint64_t h = STATE_SEAL_FNV_INIT;
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n;

	if (f == NULL)
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		h = state_seal_fnv(h, buf, n);
	fclose(f);
	return h;
}

static const char *config_base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

/* Check every line first (its command, and its words against the command's forms) and run
 * them only if all pass: no half-configured start from a typo on the last line. A command
 * that fails while running stops the load too. */
int config_load(const char *path, char *err, size_t errlen)
{
	struct words **lines = NULL, **grown, *l;
	struct cmd_result res;
	const char *why = NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, i;
	int nwords, ret = 0;
	bool changed;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (getline(&buf, &cap, f) >= 0) {
		/* one allocation per line: each line's argv points into its own buf */
		grown = realloc(lines, (n + 1) * sizeof(*lines));
		if (grown != NULL)
			lines = grown;
		l = grown != NULL ? malloc(sizeof(*l)) : NULL;
		if (l == NULL) {
			ret = -ENOMEM;
			snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
			goto out;
		}
		lines[n++] = l;
		ret = words_split(buf, l, &why);
		if (ret < 0) {
			snprintf(err, errlen, "%s:%zu: %s", config_base(path), n, why);
			goto out;
		}
		if (l->argc > 0 && cmd_check(l->argc, l->argv, true, &nwords, &res) == NULL) {
			snprintf(err, errlen, "%s:%zu: %s", config_base(path), n, res.err);
			ret = -EINVAL;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (lines[i]->argc == 0)
			continue;
		memset(&res, 0, sizeof(res));
		ret = cmd_run(lines[i]->argc, lines[i]->argv, true, &changed, &res);
		json_object_put(res.json);
		if (ret < 0) {
			snprintf(err, errlen, "%s:%zu: %s", config_base(path), i + 1, res.err);
			/* loaded at start on an empty switch: back to empty, not half configured */
			port_del_all();
			fdb_flush(-1, true);
			fdb.aging = FDB_DEFAULT_AGING;
			worker_set_mode(WORKER_ADAPTIVE);
			worker_set_idle_us(WORKER_IDLE_US_DEFAULT);
			goto out;
		}
	}
	ret = 0;
out:
	free(buf);
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	fclose(f);
	return ret;
}

static int config_fsync_dir(const char *path)
{
	char dir[4096];
	int fd, ret = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		ret = -errno;
	close(fd);
	return ret;
}

static uint64_t config_state_digest; /* of the config file the running state grew from */

/*
 * temp file, fsync, rename, fsync the directory: a crash leaves the old state or the new. On
 * failure err says which file and why (the running configuration is unchanged by it).
 */
int config_save_state(const char *state, char *err, size_t errlen)
{
	char tmp[4096], *body = NULL;
	size_t len = 0;
	FILE *f, *m;
	int ret;

	if (state == NULL || *state == '\0')
		return 0;
	/* the body first, in memory: the seal is its digest (ctl/state_seal.h) */
	m = open_memstream(&body, &len);
	if (m == NULL)
		goto err;
	fprintf(m, "# lanswitchd running configuration, rewritten after every change.\n");
	fprintf(m, STATE_SEAL_HEADER "\n");
	fprintf(m, CONFIG_DIGEST_TAG "%016llx\n", (unsigned long long)config_state_digest);
	config_describe(m);
	if (fclose(m) != 0) {
		free(body);
		goto err;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", state);
	f = fopen(tmp, "w");
	if (f == NULL) {
		free(body);
		goto err;
	}
	ret = state_seal_write(f, body, len);
	free(body);
	if (ret < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		errno = ret < 0 ? -ret : errno;
		goto err_unlink;
	}
	if (fclose(f) != 0 || rename(tmp, state) != 0)
		goto err_unlink;
	ret = config_fsync_dir(state);
	if (ret < 0)
		goto err_msg;
	return 0;

err_unlink:
	ret = -errno;
	unlink(tmp);
	errno = -ret;
err:
	ret = -errno;
err_msg:
	snprintf(err, errlen, "state file %s: %s", state, strerror(-ret));
	LOG_ERR("%s", err);
	return ret;
}

/* The digest the state file was stamped with, or 0 without a (readable) state file. */
static int config_read_state_digest(const char *state, uint64_t *digest)
{
	char line[256];
	FILE *f = fopen(state, "r");
	int ret = -ENOENT;

	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL && line[0] == '#') {
		if (strncmp(line, CONFIG_DIGEST_TAG, strlen(CONFIG_DIGEST_TAG)) == 0) {
			*digest = strtoull(line + strlen(CONFIG_DIGEST_TAG), NULL, 16);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Sealed and whole, or from before seals (ctl/state_seal.h); else why in err. */
static bool config_state_sound(const char *state, char *err, size_t errlen)
{
	char why[256];

	if (state_seal_check(state, why, sizeof(why)) == 0)
		return true;
	snprintf(err, errlen, "%s: %s", state, why);
	return false;
}

/*
 * What the start found of the state file, for `config show` (config_state_report): lanctl
 * doctor cannot see lanswitchd's files, it asks the switch. Control thread only: written by
 * config_startup, read by the commands it runs.
 */
static struct {
	const char *state; /* --state; NULL or "" for none */
	const char
	        *config; /* --config: what a damaged state's switch started from; NULL: no ports */
	bool damaged;    /* this run's start found the state file damaged, */
	bool kept;       /* and kept it aside as aside */
	time_t at;
	char aside[4200];
	char why[CMD_ERR_MAX];
} config_start;

/* A damaged state file (err says how) is kept aside for inspection; the switch starts from
 * the config file, or with no ports. */
static void config_state_aside(const char *state, const char *config, const char *err)
{
	size_t n = strlen(state);
	int ret;

	config_start.damaged = true;
	config_start.at = time(NULL);
	ret = state_seal_aside(state, config_start.at, config_start.aside,
	                       sizeof(config_start.aside));
	config_start.kept = ret == 0;
	/* the report names the file apart (state_file): its why without the name in front */
	snprintf(config_start.why, sizeof(config_start.why), "%s",
	         strncmp(err, state, n) == 0 && strncmp(err + n, ": ", 2) == 0 ? err + n + 2 : err);
	if (ret < 0)
		LOG_ERR("state file damaged: %s; cannot move it aside: %s; starting from %s", err,
		        strerror(-ret), config != NULL ? config : "no ports");
	else
		LOG_ERR("state file damaged: %s; kept as %s; starting from %s", err,
		        config_start.aside, config != NULL ? config : "no ports");
}

int config_startup(const char *config, const char *state, char *err, size_t errlen)
{
	uint64_t digest = 0, saved;
	int ret;

	if (config != NULL) {
		if (access(config, R_OK) != 0) {
			snprintf(err, errlen, "%s: %s", config, strerror(errno));
			return -errno;
		}
		digest = config_digest(config);
	}
	config_state_digest = digest;
	memset(&config_start, 0, sizeof(config_start));
	config_start.state = state;
	config_start.config = config;
	if (state == NULL || *state == '\0' || access(state, F_OK) != 0)
		goto fresh;
	if (config_read_state_digest(state, &saved) != 0) {
		snprintf(err, errlen, "%s: no digest line (cut short, or not a state file)", state);
		config_state_aside(state, config, err);
		goto fresh;
	}
	if (config != NULL && saved != digest) {
		LOG_WARN("%s changed since %s was written: starting from %s; runtime changes "
		         "not in it are dropped",
		         config, state, config);
		goto fresh;
	}
	LOG_INFO("restoring the running configuration from %s", state);
	if (config_state_sound(state, err, errlen) && config_load(state, err, errlen) == 0)
		return 0;
	/* a switch that will not start takes the host's address down with the LAN: the state
	 * goes aside, the switch starts from the config file or with no ports */
	config_state_aside(state, config, err);
fresh:
	if (config != NULL) {
		ret = config_load(config, err, errlen);
		if (ret < 0)
			return ret;
	}
	/* a state that cannot be written is no reason not to switch: said in the log */
	config_save_state(state, err, errlen);
	return 0;
}

/* {"path": kept as, or null when it could not be moved, "why", "at", "started_from"} */
static struct json_object *config_damage_json(void)
{
	struct json_object *o = json_object_new_object();
	char at[32];
	struct tm tm;

	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%S%z", localtime_r(&config_start.at, &tm));
	json_object_object_add(
	        o, "path", config_start.kept ? json_object_new_string(config_start.aside) : NULL);
	json_object_object_add(o, "why", json_object_new_string(config_start.why));
	json_object_object_add(o, "at", json_object_new_string(at));
	json_object_object_add(
	        o, "started_from",
	        config_start.config != NULL ? json_object_new_string(config_start.config) : NULL);
	return o;
}

/* Every file kept aside beside the state file, this run's and earlier ones', oldest first:
 * their names end in the time they were kept. None when the directory cannot be read. */
static struct json_object *config_asides_json(const char *state)
{
	struct json_object *list = json_object_new_array();
	const char *base = config_base(state);
	char dir[4096], prefix[300], path[4400];
	struct dirent **names;
	int n, i;

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - state), state);
	snprintf(prefix, sizeof(prefix), "%s" STATE_SEAL_ASIDE, base);
	n = scandir(dir[0] != '\0' ? dir : ".", &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (strncmp(names[i]->d_name, prefix, strlen(prefix)) == 0) {
			snprintf(path, sizeof(path), "%s%s", dir, names[i]->d_name);
			json_object_array_add(list, json_object_new_string(path));
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return list;
}

void config_state_report(struct json_object *obj)
{
	const char *state = config_start.state;
	bool has = state != NULL && *state != '\0';

	json_object_object_add(obj, "state_file", has ? json_object_new_string(state) : NULL);
	json_object_object_add(obj, "state_damaged",
	                       config_start.damaged ? config_damage_json() : NULL);
	json_object_object_add(obj, "state_damaged_files",
	                       has ? config_asides_json(state) : json_object_new_array());
}
