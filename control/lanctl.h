/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanctl's internal interfaces: the exit codes scripts rely on, the result printers (one
 * per command group, each taking the reply's "result" and a stream so a unit test can call
 * it on a canned value), the help written from the grammar, and the small helpers they
 * share.
 */
#ifndef LANSWITCH_LANCTL_H
#define LANSWITCH_LANCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

struct json_object;
struct cmd_def;

/* Exit codes: part of the CLI's contract, scripts test them. */
enum lanctl_exit {
	LANCTL_EXIT_OK = 0,      /* the daemon (and libvirt) did it */
	LANCTL_EXIT_REFUSED = 1, /* the daemon, libvirt or lanctl's own checks refused it */
	LANCTL_EXIT_USAGE = 2,   /* lanctl's options or limits, or words the grammar refuses */
	LANCTL_EXIT_SOCKET = 3,  /* no answer: connect, I/O, timeout, malformed reply */
};

#define LANCTL_LIBVIRT_URI_DEFAULT "qemu:///system"

/* lanctl's global options. */
struct lanctl_opts {
	const char *socket;
	const char *uri;  /* libvirt's, for the vm commands */
	double timeout_s; /* 0: wait forever */
	bool json;
	bool help;
};

/* client.c: the control socket's client side. Each returns 0 or a negative errno. */
int client_request_build(char **words, int nwords, char **request, size_t *len);
struct timespec client_deadline(double timeout_s);
/* Milliseconds left for poll(): -1 without a deadline, 0 once it passed. */
int client_remaining_ms(const struct timespec *deadline);
int client_connect(const char *path, double timeout_s, int *fd);
int client_send(int fd, const char *buf, size_t len);
/* Up to the first newline (dropped), NUL-terminated, until *deadline (NULL: none); what
 * follows the newline is not kept: for one reply, not for a stream. */
int client_recv_line(int fd, const struct timespec *deadline, char **line, size_t *len);
/* -EPROTO with *why when the line is not a reply envelope. */
int client_reply_parse(const char *line, size_t len, struct json_object **reply, const char **why);
/*
 * One exchange: connect, send the request, read one reply line and parse it. On failure
 * says what failed on stderr, naming the socket, and returns a negative errno: the switch
 * did not answer (exit code 3).
 */
int client_call(const struct lanctl_opts *opts, const char *request, size_t len,
                struct json_object **reply);
/* "lanctl: SOCKET: STEP: WHY" on stderr (without STEP when NULL). */
void client_fail(const struct lanctl_opts *opts, const char *step, const char *why);
void client_fail_recv(const struct lanctl_opts *opts, int rc);
/* One exchange: connect, send, read one line, parse; says what failed, naming the socket. */
int client_call(const struct lanctl_opts *opts, const char *request, size_t len,
                struct json_object **reply);
/*
 * One command, its result in *result (the caller puts it; NULL: not wanted): 0; -EREMOTEIO
 * when the switch refused (its reason in err); -ECOMM when it did not answer (said on
 * stderr); another negative errno when the request could not be built (err says).
 */
#define CMD_ERR_TEXT_MAX 512
int client_ask(const struct lanctl_opts *opts, char **words, int nwords,
               struct json_object **result, char *err, size_t errlen);
/* client_ask, saying a refusal on stderr: 0, or the exit code (refused, no answer). */
int client_command(const struct lanctl_opts *opts, char **words, int nwords,
                   struct json_object **result);

/* monitor.c: `lanctl monitor`, until interrupted; an exit code. */
int monitor_run(const struct lanctl_opts *opts, char **words, int nwords);

/* The event stream, for monitor and wait: a line reader that keeps what follows a line. */
#define MONITOR_LINE_MAX (64 * 1024) /* an event is a few hundred bytes */
struct monitor_reader {
	int fd;
	size_t len;      /* bytes in buf */
	size_t consumed; /* the line returned last, dropped at the next read */
	char buf[MONITOR_LINE_MAX + 1];
};
extern volatile sig_atomic_t monitor_quit; /* set by SIGINT and SIGTERM while streaming */
/* Connect and subscribe (again: the switch closed the last stream): -1 when subscribed, the
 * first line next; else an exit code, said on stderr. */
int monitor_subscribe(const struct lanctl_opts *opts, struct monitor_reader *r, bool again);
/* The next line in r->buf (its length); 0: EOF; -EINTR, -ETIMEDOUT (deadline, NULL: none). */
ssize_t monitor_read_line(struct monitor_reader *r, const struct timespec *deadline);

/*
 * Result printers. Each returns 0 once it printed, or -EPROTO without printing anything
 * when the result does not have the shape it knows (the caller then prints the JSON as
 * is). Write errors are left in the stream for the caller to find once, at the end.
 */
int cmd_port_list_print(struct json_object *result, FILE *out);
int cmd_port_add_print(struct json_object *result, FILE *out);
int cmd_fdb_show_print(struct json_object *result, FILE *out);
int cmd_stats_print(struct json_object *result, FILE *out);
int cmd_config_show_print(struct json_object *result, FILE *out);
int cmd_hosts_print(struct json_object *result, FILE *out);
/* hosts_vm.c: "vm" added to each host of a `hosts` result: its domain, from libvirt. */
void hosts_vm_names(const struct lanctl_opts *opts, struct json_object *hosts);
/* One event of the monitor stream, as a line of text. */
int cmd_monitor_print_event(struct json_object *event, FILE *out);

/*
 * help.c: help and usage errors from the grammar, printed without the switch. Each returns
 * the exit code.
 */
void help_all(FILE *out);
/* words: "" (all), a group ("port") or a command ("port add", more words are ignored) */
int help_topic(FILE *out, int nwords, char **words);
/* The local command "help [GROUP [COMMAND]]", its arguments checked by the grammar. */
int help_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv);
/* wait.c: `lanctl wait PORT link-up | dhcp-server | arp IP`; an exit code. */
int wait_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv);
/* err from grammar_find, on stderr, with a hint of where to look. */
int help_unknown(const char *err, int nwords, char **words);
/* err from grammar_check, on stderr, then the command's forms. */
int help_usage_error(const struct cmd_def *def, const char *err);

/*
 * The vm commands (vm_attach.c, vm_detach.c, vm_list.c, vm_convert_cmd.c): libvirt domains on
 * the switch. Each returns the exit code.
 */
int vm_attach_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv);
int vm_detach_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv);
int vm_list_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv);
int vm_convert_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc,
                   char **argv);
/* vm_follow.c: the agent that keeps the switch in step with libvirt; runs until stopped. */
int vm_follow_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv);
/* vm_start.c: domains started in a file's order, on real readiness. */
int vm_start_order_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc,
                       char **argv);
/* doctor.c: what breaks such setups, one line each with its fix. */
int doctor_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv);

/* print.c: column tables over an array of objects, and JSON fallbacks. */
#define PRINT_COLS_MAX 12
#define PRINT_CELL_MAX 128

struct print_col {
	const char *title;
	bool right; /* numbers align right so their digits line up */
};

struct print_table {
	const struct print_col *cols;
	unsigned int ncols;
	bool header; /* false for tables that read as sentences, like `bridge fdb` */
	/* Fills cell[0..ncols-1] for one element of the array. */
	void (*cells)(struct json_object *row, char cell[][PRINT_CELL_MAX]);
	/* Prints indented lines under the row; NULL when there are none. */
	void (*notes)(struct json_object *row, FILE *out);
};

bool print_is_object_array(struct json_object *result);
int print_table(const struct print_table *table, struct json_object *rows, FILE *out);
const char *print_get_str(struct json_object *obj, const char *key);
bool print_get_u64(struct json_object *obj, const char *key, uint64_t *val);
void print_cell_str(char *cell, struct json_object *obj, const char *key);
void print_cell_u64(char *cell, struct json_object *obj, const char *key);
int print_json_plain(struct json_object *result, FILE *out);
int print_json_pretty(struct json_object *result, FILE *out);

#endif
