/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanctl: send one command to lanswitchd over its control socket and print the answer.
 *
 * lanctl links the switch's grammar (api/grammar.h): it finds the command and checks its
 * words against the command's forms before it connects, so a usage error is exit code 2
 * with the grammar's message whether or not the switch runs, and --help needs no switch.
 * Commands marked CMD_LOCAL (help, and the vm commands, which talk to libvirt and send the
 * switch plain port commands of their own) run here and are never sent. The rest go to the
 * daemon verbatim, and the daemon checks them again (config files and other clients need
 * that).
 * What lanctl adds is the transport (connect, one request line, one reply line, a
 * timeout), the exit codes, and a human form of the results that have one; -j prints
 * every result as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h> /* isfinite(), a macro: no libm */
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api/ctl_proto.h"
#include "api/grammar.h"
#include "lanctl.h"

#define LANCTL_TIMEOUT_DEFAULT_S 10.0
#define LANCTL_TIMEOUT_MAX_S 86400.0 /* keeps deadline arithmetic far from overflow */

/* The commands whose result has a human form, by enum cmd_id; the others print JSON. */
struct lanctl_printer {
	int (*print)(struct json_object *result, FILE *out);
};

static const struct lanctl_printer lanctl_printers[CMD_MAX] = {
	[CMD_PORT_LIST] = { cmd_port_list_print },     [CMD_PORT_ADD] = { cmd_port_add_print },
	[CMD_FDB_SHOW] = { cmd_fdb_show_print },       [CMD_STATS] = { cmd_stats_print },
	[CMD_CONFIG_SHOW] = { cmd_config_show_print }, [CMD_HOSTS] = { cmd_hosts_print },
};

/* What lanctl adds to a command's result before it prints it, by enum cmd_id. */
struct lanctl_enrich {
	void (*add)(const struct lanctl_opts *opts, struct json_object *result);
};

static const struct lanctl_enrich lanctl_enrichers[CMD_MAX] = {
	[CMD_HOSTS] = { hosts_vm_names }, /* the switch knows MACs, libvirt their domains */
};

/* The commands lanctl runs itself (CMD_LOCAL), by enum cmd_id. */
struct lanctl_local {
	/* argv after the command's words, checked by the grammar; returns an exit code */
	int (*run)(const struct lanctl_opts *opts, const struct cmd_def *def, int argc,
	           char **argv);
};

static const struct lanctl_local lanctl_locals[CMD_MAX] = {
	[CMD_VM_ATTACH] = { vm_attach_run }, [CMD_VM_DETACH] = { vm_detach_run },
	[CMD_VM_LIST] = { vm_list_run },     [CMD_VM_CONVERT] = { vm_convert_run },
	[CMD_VM_FOLLOW] = { vm_follow_run }, [CMD_VM_START_ORDER] = { vm_start_order_run },
	[CMD_DOCTOR] = { doctor_run },       [CMD_HELP] = { help_run },
	[CMD_WAIT] = { wait_run },
};

static const struct option lanctl_long_opts[] = {
	{ "socket", required_argument, NULL, 's' }, { "connect", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, 'j' },         { "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
};

static int lanctl_parse_timeout(const char *arg, double *timeout_s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end != '\0' || !isfinite(v) || v < 0 ||
	    v > LANCTL_TIMEOUT_MAX_S)
		return -EINVAL;
	*timeout_s = v;
	return 0;
}

static void lanctl_bad_option(int opt, char **argv)
{
	/* optopt is 0 for a long option; its text is the word getopt just consumed. */
	const char *name = argv[optind - 1];

	if (opt == ':')
		fprintf(stderr, "lanctl: option %s needs an argument\n", name);
	else if (optopt)
		fprintf(stderr, "lanctl: unknown option -%c\n", optopt);
	else
		fprintf(stderr, "lanctl: unknown option %s\n", name);
}

/* "+": stop at the first command word, so options of commands (--server) reach the daemon. */
static int lanctl_parse_opts(int argc, char **argv, struct lanctl_opts *opts)
{
	const char *env = getenv("LANSWITCH_SOCKET");
	int opt;

	opts->socket = env && *env ? env : CTL_DEFAULT_SOCKET;
	opts->uri = LANCTL_LIBVIRT_URI_DEFAULT;
	opts->timeout_s = LANCTL_TIMEOUT_DEFAULT_S;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:s:c:jt:h", lanctl_long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (*optarg == '\0') {
				fprintf(stderr, "lanctl: empty libvirt URI\n");
				return -EINVAL;
			}
			opts->uri = optarg;
			break;
		case 's':
			if (*optarg == '\0') {
				fprintf(stderr, "lanctl: empty socket path\n");
				return -EINVAL;
			}
			opts->socket = optarg;
			break;
		case 'j':
			opts->json = true;
			break;
		case 't':
			if (lanctl_parse_timeout(optarg, &opts->timeout_s) < 0) {
				fprintf(stderr,
				        "lanctl: bad timeout \"%s\": want 0 to %.0f seconds\n",
				        optarg, LANCTL_TIMEOUT_MAX_S);
				return -EINVAL;
			}
			break;
		case 'h':
			opts->help = true;
			break;
		default:
			lanctl_bad_option(opt, argv);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * An empty result prints nothing whatever the command, so a printer sees only what it can
 * show. A shape the printer does not know is still shown, as JSON, rather than hidden.
 */
static int lanctl_print_result(const struct lanctl_opts *opts, const struct cmd_def *def,
                               struct json_object *result)
{
	const struct lanctl_printer *printer = &lanctl_printers[grammar_id(def)];
	int rc;

	if (opts->json)
		return print_json_plain(result, stdout);
	if (!result || (json_object_is_type(result, json_type_object) &&
	                json_object_object_length(result) == 0))
		return 0;
	if (printer->print) {
		rc = printer->print(result, stdout);
		if (rc != -EPROTO)
			return rc;
	}
	return print_json_pretty(result, stdout);
}

/* The daemon's refusal, as one line; its text already names what was wrong. */
static int lanctl_refused(struct json_object *reply)
{
	struct json_object *err;

	if (json_object_object_get_ex(reply, CTL_KEY_ERROR, &err) &&
	    json_object_is_type(err, json_type_string))
		fprintf(stderr, "lanctl: %s\n", json_object_get_string(err));
	else
		fprintf(stderr, "lanctl: the daemon refused the command without saying why\n");
	return LANCTL_EXIT_REFUSED;
}

static int lanctl_run(const struct lanctl_opts *opts, const struct cmd_def *def, char **words,
                      int nwords)
{
	struct json_object *reply = NULL, *result, *ok;
	int rc, status = LANCTL_EXIT_SOCKET;
	char *request = NULL;
	size_t len;

	if (nwords > CTL_MAX_ARGS) {
		fprintf(stderr, "lanctl: %d words, the daemon takes at most %d\n", nwords,
		        CTL_MAX_ARGS);
		return LANCTL_EXIT_USAGE;
	}
	rc = client_request_build(words, nwords, &request, &len);
	if (rc == -E2BIG) {
		fprintf(stderr, "lanctl: command of %zu bytes, the daemon takes at most %d\n", len,
		        CTL_MAX_REQUEST);
		return LANCTL_EXIT_USAGE;
	} else if (rc < 0) {
		fprintf(stderr, "lanctl: building the request: %s\n", strerror(-rc));
		return LANCTL_EXIT_SOCKET;
	}
	if (client_call(opts, request, len, &reply) < 0)
		goto free_request;

	json_object_object_get_ex(reply, CTL_KEY_OK, &ok);
	if (!json_object_get_boolean(ok)) {
		status = lanctl_refused(reply);
		goto put_reply;
	}
	/* Missing "result" on success is read as {}: the command did succeed. */
	if (!json_object_object_get_ex(reply, CTL_KEY_RESULT, &result)) {
		result = json_object_new_object();
		json_object_object_add(reply, CTL_KEY_RESULT, result);
	}
	/* A full disk or a closed pipe must not pass for success in a script. */
	errno = 0;
	if (lanctl_enrichers[grammar_id(def)].add != NULL)
		lanctl_enrichers[grammar_id(def)].add(opts, result);
	rc = lanctl_print_result(opts, def, result);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = errno ? -errno : -EIO;
	if (rc == 0)
		status = LANCTL_EXIT_OK;
	else
		fprintf(stderr, "lanctl: writing output: %s\n", strerror(-rc));
put_reply:
	json_object_put(reply);
free_request:
	free(request);
	return status;
}

/*
 * "--help" or "-h" among the command's words (lanctl port add -h): the help of what the
 * words before it name. No command takes either as a value: no name starts with a dash.
 */
static int lanctl_help_asked(int nwords, char **words)
{
	int i;

	for (i = 0; i < nwords; i++) {
		if (!strcmp(words[i], "--help") || !strcmp(words[i], "-h"))
			return i;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct lanctl_opts opts = { 0 };
	char err[GRAMMAR_ERR_MAX], **words;
	const struct cmd_def *def;
	int nwords, n, at;

	if (lanctl_parse_opts(argc, argv, &opts) < 0) {
		fprintf(stderr, "Try 'lanctl --help'.\n");
		return LANCTL_EXIT_USAGE;
	}
	words = argv + optind;
	nwords = argc - optind;
	if (opts.help)
		return help_topic(stdout, nwords, words);
	if (nwords == 0) {
		help_all(stderr);
		return LANCTL_EXIT_USAGE;
	}
	at = lanctl_help_asked(nwords, words);
	if (at >= 0)
		return help_topic(stdout, at, words);
	/* the switch's own grammar, before the socket: a usage error is the same without it */
	def = grammar_find(nwords, words, &n, err, sizeof(err));
	if (!def)
		return help_unknown(err, nwords, words);
	if (grammar_check(def, nwords - n, words + n, err, sizeof(err)) < 0)
		return help_usage_error(def, err);
	if (def->flags & CMD_STREAM)
		return monitor_run(&opts, words, nwords);
	if (!(def->flags & CMD_LOCAL))
		return lanctl_run(&opts, def, words, nwords);
	if (!lanctl_locals[grammar_id(def)].run) {
		fprintf(stderr, "lanctl: \"%s\" is not in this lanctl yet\n", words[0]);
		return LANCTL_EXIT_USAGE;
	}
	return lanctl_locals[grammar_id(def)].run(&opts, def, nwords - n, words + n);
}
