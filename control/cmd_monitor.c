/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Printer for `monitor`'s events, one line each as `ip monitor` prints them, with the time
 * first:
 *
 *	11:22:33.456 port g0 link up (guest connected)
 *	11:22:33.501 fdb 02:00:00:00:00:0a vlan 1 learned on g0
 *
 * A kind this lanctl does not know (a newer switch) prints as its name and its keys, so
 * nothing the switch says is hidden.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lanctl.h"

static void monitor_time(struct json_object *ev, FILE *out)
{
	struct json_object *ts;
	struct tm tm;
	double t;
	time_t s;

	if (!json_object_object_get_ex(ev, "ts", &ts)) {
		fputs("--:--:--.---", out);
		return;
	}
	t = json_object_get_double(ts);
	s = (time_t)t;
	localtime_r(&s, &tm);
	fprintf(out, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
	        (int)((t - (double)s) * 1000));
}

static const char *monitor_str(struct json_object *ev, const char *key)
{
	const char *s = print_get_str(ev, key);

	return s != NULL ? s : "?";
}

static uint64_t monitor_u64(struct json_object *ev, const char *key)
{
	uint64_t v = 0;

	print_get_u64(ev, key, &v);
	return v;
}

static void monitor_fdb(struct json_object *ev, const char *kind, FILE *out)
{
	fprintf(out, " fdb %s vlan %" PRIu64, monitor_str(ev, "mac"), monitor_u64(ev, "vlan"));
	if (strcmp(kind, "fdb_learned") == 0)
		fprintf(out, " learned on %s", monitor_str(ev, "port"));
	else if (strcmp(kind, "fdb_moved") == 0)
		fprintf(out, " moved to %s from %s", monitor_str(ev, "port"),
		        monitor_str(ev, "from"));
	else
		fprintf(out, " aged out on %s", monitor_str(ev, "port"));
}

/* Any other kind: its name and every key but the two all events have. */
static void monitor_generic(struct json_object *ev, const char *kind, FILE *out)
{
	fprintf(out, " %s", kind);
	json_object_object_foreach(ev, key, val)
	{
		if (strcmp(key, "event") == 0 || strcmp(key, "ts") == 0)
			continue;
		fprintf(out, " %s=%s", key,
		        json_object_is_type(val, json_type_string)
		                ? json_object_get_string(val)
		                : json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
	}
}

int cmd_monitor_print_event(struct json_object *ev, FILE *out)
{
	const char *kind = print_get_str(ev, "event");

	if (kind == NULL)
		return -EPROTO;
	monitor_time(ev, out);
	if (strcmp(kind, "port_added") == 0)
		fprintf(out, " port %s added (%s)", monitor_str(ev, "port"),
		        monitor_str(ev, "type"));
	else if (strcmp(kind, "port_removed") == 0)
		fprintf(out, " port %s removed", monitor_str(ev, "port"));
	else if (strcmp(kind, "link") == 0)
		fprintf(out, " port %s link %s (%s)", monitor_str(ev, "port"),
		        monitor_str(ev, "link"), monitor_str(ev, "reason"));
	else if (strncmp(kind, "fdb_", 4) == 0 && print_get_str(ev, "mac") != NULL)
		monitor_fdb(ev, kind, out);
	else if (strcmp(kind, "fdb_suppressed") == 0)
		fprintf(out, " fdb: %" PRIu64 " events not shown (at most 100 a second per worker)",
		        monitor_u64(ev, "count"));
	else if (strcmp(kind, "fdb_full") == 0 && strcmp(monitor_str(ev, "state"), "raised") == 0)
		fprintf(out,
		        " fdb full (%" PRIu64 " of %" PRIu64 " entries): new MACs are flooded, "
		        "not learned",
		        monitor_u64(ev, "entries"), monitor_u64(ev, "capacity"));
	else if (strcmp(kind, "fdb_full") == 0)
		fprintf(out, " fdb has room again (%" PRIu64 " of %" PRIu64 " entries)",
		        monitor_u64(ev, "entries"), monitor_u64(ev, "capacity"));
	else if (strcmp(kind, "events_lost") == 0)
		fprintf(out, " %" PRIu64 " events lost: the switch's event queue was full",
		        monitor_u64(ev, "count"));
	else
		monitor_generic(ev, kind, out);
	fputc('\n', out);
	return 0;
}
