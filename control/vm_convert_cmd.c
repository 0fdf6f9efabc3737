/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `lanctl vm convert DOMAIN... | --all --bridge BR [--model-virtio] [--dhcp-server DOMAIN]...
 * [--dry-run]`: every type='bridge' interface on BR becomes a vhost-user one on a port of its
 * own (vm_xml_convert), in each domain's persistent definition. Every port is guarded
 * (vm_guard.c): allowed-mac its MAC, arp-guard from its nwfilter's IP parameters, dhcp-server
 * and ra-guard deny, or allow on the ports of the domains named with --dhcp-server (routers).
 *
 * Check first, act second, across all the domains: every one is read and converted in memory
 * before anything changes, and one refusal (an e1000 without --model-virtio, a network that
 * is BR under another name...) leaves all of them as they were. Then, domain by domain, the
 * ports are made on the switch and the domain defined; a failure undoes that domain's ports
 * and the domains done before it (their old definitions defined again), so a convert happens
 * whole or not at all. A running domain is converted in its persistent definition only: it
 * changes at its next cold start, and lanctl says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api/grammar.h"
#include "virt.h"
#include "vm_cmd.h"

/* One domain, planned before anything changes. */
struct vm_conv {
	virDomainPtr dom;
	const char *name; /* libvirt's, owned by dom */
	xmlDocPtr doc;
	char *original; /* the persistent definition before: defined again to undo */
	struct vm_convert_report report;
	int n; /* interfaces converted */
	bool running;
};

struct vm_convert_cmd {
	const struct lanctl_opts *opts;
	struct vm_args args;
	struct virt virt;
	struct vm_net_resolver nets;
	struct vm_conv *convs;
	unsigned int nconvs;
};

/* Each named domain once, persistent; every name that is not is said before failing. */
static int vm_convert_named(struct vm_convert_cmd *c)
{
	unsigned int i, j;
	int ret = 0;

	c->convs = calloc((size_t)c->args.npos, sizeof(*c->convs));
	if (c->convs == NULL)
		return -ENOMEM;
	for (i = 0; i < (unsigned int)c->args.npos; i++) {
		for (j = 0; j < c->nconvs && strcmp(c->convs[j].name, c->args.pos[i]) != 0; j++)
			;
		if (j < c->nconvs)
			continue;
		if (virt_domain_find(&c->virt, c->args.pos[i], &c->convs[c->nconvs].dom) < 0) {
			ret = -ENOENT;
			continue;
		}
		c->convs[c->nconvs].name = virDomainGetName(c->convs[c->nconvs].dom);
		c->nconvs++;
	}
	return ret;
}

static int vm_convert_by_name(const void *a, const void *b)
{
	const struct vm_conv *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* --all: every persistent domain, in name order (what libvirt lists is in no order). */
static int vm_convert_all(struct vm_convert_cmd *c)
{
	virDomainPtr *doms = NULL;
	int n, i;

	n = virConnectListAllDomains(c->virt.conn, &doms, VIR_CONNECT_LIST_DOMAINS_PERSISTENT);
	if (n < 0) {
		fprintf(stderr, "lanctl: libvirt %s: listing domains: %s\n", c->virt.uri,
		        virt_error());
		return -EIO;
	}
	c->convs = calloc((size_t)n + 1, sizeof(*c->convs));
	if (c->convs == NULL) {
		for (i = 0; i < n; i++)
			virDomainFree(doms[i]);
		free(doms);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		c->convs[i].dom = doms[i];
		c->convs[i].name = virDomainGetName(doms[i]);
	}
	c->nconvs = (unsigned int)n;
	free(doms);
	qsort(c->convs, c->nconvs, sizeof(*c->convs), vm_convert_by_name);
	return 0;
}

/*
 * Each domain named with --dhcp-server is one of those converted: a router's name mistyped
 * would otherwise leave the real router's ports denying DHCP, and the LAN without addresses.
 */
static int vm_convert_routers_check(const struct vm_convert_cmd *c)
{
	unsigned int i, j;
	int ret = 0;

	for (i = 0; i < c->args.ndhcp_servers; i++) {
		for (j = 0; j < c->nconvs && strcmp(c->convs[j].name, c->args.dhcp_servers[i]) != 0;
		     j++)
			;
		if (j == c->nconvs) {
			fprintf(stderr,
			        "lanctl: vm convert: --dhcp-server %s: not one of the domains "
			        "converted%s\n",
			        c->args.dhcp_servers[i],
			        c->args.set[VM_OPT_ALL] ? " (no persistent domain of that name)"
			                                : "");
			ret = -EINVAL;
		}
	}
	return ret;
}

/* Whether the domain was named with --dhcp-server: the router, whose ports may serve DHCP. */
static bool vm_convert_is_router(const struct vm_convert_cmd *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->args.ndhcp_servers; i++)
		if (strcmp(c->args.dhcp_servers[i], name) == 0)
			return true;
	return false;
}

/* "lanctl: " before each line of a report's refusals. */
static void vm_convert_print_refused(const char *refused)
{
	const char *nl;

	for (; *refused != '\0'; refused = *nl != '\0' ? nl + 1 : nl) {
		nl = strchrnul(refused, '\n');
		fprintf(stderr, "lanctl: %.*s\n", (int)(nl - refused), refused);
	}
}

/* The domain's ports in its metadata: those it had, then the converted ones. */
static int vm_convert_metadata(struct vm_conv *v)
{
	struct vm_port ports[VM_PORTS_MAX];
	char err[256];
	int n, i;

	n = vm_xml_metadata_read(v->doc, ports, VM_PORTS_MAX, err, sizeof(err));
	if (n >= 0 && (unsigned int)n + v->report.n > VM_PORTS_MAX)
		n = -E2BIG;
	for (i = 0; n >= 0 && (unsigned int)i < v->report.n; i++)
		ports[n + i] = v->report.ifaces[i].port;
	if (n >= 0)
		n = vm_xml_metadata_set(v->doc, ports, (unsigned int)n + v->report.n, err,
		                        sizeof(err));
	if (n < 0)
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", v->name,
		        n == -E2BIG ? "too many ports" : err);
	return n < 0 ? n : 0;
}

/* One domain converted in memory: 0, or -EINVAL when refused (said). */
static int vm_convert_plan(struct vm_convert_cmd *c, struct vm_conv *v)
{
	const struct vm_convert_opts opts = {
		.bridge = c->args.val[VM_OPT_BRIDGE],
		.socket_dir = c->args.socket_dir,
		.model_virtio = c->args.set[VM_OPT_MODEL_VIRTIO],
		.router = vm_convert_is_router(c, v->name),
		.nets = &c->nets,
	};

	if (virDomainIsPersistent(v->dom) != 1) {
		fprintf(stderr,
		        "lanctl: domain \"%s\" is transient: vm convert changes persistent "
		        "definitions (define it first)\n",
		        v->name);
		return -EINVAL;
	}
	v->running = virt_domain_running(v->dom);
	v->doc = virt_domain_read(v->dom, true);
	v->original = virt_domain_text(v->dom);
	if (v->doc == NULL || v->original == NULL)
		return -EIO;
	v->n = vm_xml_convert(v->doc, v->name, &opts, &v->report);
	if (v->n == -EINVAL && v->report.refused != NULL)
		vm_convert_print_refused(v->report.refused);
	else if (v->n < 0)
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", v->name, strerror(-v->n));
	if (v->n <= 0)
		return v->n;
	return vm_convert_metadata(v);
}

/* Every domain, before anything changes: one refused, none is touched. */
static int vm_convert_plan_all(struct vm_convert_cmd *c)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < c->nconvs; i++) {
		if (vm_convert_plan(c, &c->convs[i]) < 0)
			ret = -EINVAL;
	}
	return ret;
}

static bool vm_convert_any(const struct vm_convert_cmd *c)
{
	unsigned int i;

	for (i = 0; i < c->nconvs; i++)
		if (c->convs[i].n > 0)
			return true;
	return false;
}

/* The domains done before one that failed: their old definitions, their ports deleted. */
static void vm_convert_undo(struct vm_convert_cmd *c, unsigned int upto)
{
	struct vm_conv *v;
	unsigned int i, k;

	for (i = 0; i < upto; i++) {
		v = &c->convs[i];
		if (v->n <= 0)
			continue;
		if (virt_domain_define(&c->virt, v->name, NULL, v->original) == 0)
			fprintf(stderr, "lanctl: undone: domain \"%s\" defined as it was\n",
			        v->name);
		for (k = 0; k < v->report.n; k++)
			if (!v->report.ifaces[k].reused)
				vm_switch_undo(c->opts, &v->report.ifaces[k].port, 1);
	}
}

/*
 * Domain by domain: its definition, then its ports. In that order because the follow agent
 * may run: a port on the switch that no domain names yet is one it removes, and a port is
 * several commands (add, its VLANs, its guard) that it could cut in two. A domain defined
 * first names its ports: the agent may make them itself, and then they are used as the
 * switch has them, with every setting sent again. A port that fails puts the domain's old
 * definition back.
 */
static int vm_convert_apply(struct vm_convert_cmd *c)
{
	struct vm_conv *v;
	unsigned int i, k = 0;
	int ret;

	for (i = 0; i < c->nconvs; i++) {
		v = &c->convs[i];
		if (v->n <= 0)
			continue;
		ret = virt_domain_define(&c->virt, v->name, v->doc, NULL);
		if (ret < 0)
			goto undo;
		for (k = 0; k < v->report.n; k++) {
			ret = vm_switch_port_add(c->opts, &v->report.ifaces[k].port);
			if (ret < 0)
				goto undo_ports;
			v->report.ifaces[k].reused = ret == 1; /* the switch had it: not undone */
		}
	}
	return 0;

undo_ports:
	while (k-- > 0)
		if (!v->report.ifaces[k].reused)
			vm_switch_undo(c->opts, &v->report.ifaces[k].port, 1);
	if (virt_domain_define(&c->virt, v->name, NULL, v->original) == 0)
		fprintf(stderr, "lanctl: undone: domain \"%s\" defined as it was\n", v->name);
undo:
	vm_convert_undo(c, i);
	return ret;
}

/* "- " or "+ " before each line of an element. */
static void vm_convert_print_xml(const char *mark, const char *xml)
{
	const char *nl;

	for (; xml != NULL && *xml != '\0'; xml = *nl != '\0' ? nl + 1 : nl) {
		nl = strchrnul(xml, '\n');
		printf("%s%.*s\n", mark, (int)(nl - xml), xml);
	}
}

static void vm_convert_print_domain(const struct vm_convert_cmd *c, const struct vm_conv *v)
{
	bool dry = c->args.set[VM_OPT_DRY_RUN];
	const struct vm_converted *f;
	char settings[1024];
	unsigned int i, w;

	for (i = 0; i < v->report.n; i++) {
		f = &v->report.ifaces[i];
		vm_out_settings(&f->port, settings, sizeof(settings));
		printf("domain \"%s\": interface #%u (%s) on %s %s port %s (socket %s, %s)\n",
		       v->name, f->position, f->port.mac, c->args.val[VM_OPT_BRIDGE],
		       dry ? "would become" : "is now", f->port.name, f->port.socket, settings);
		if (dry) {
			vm_convert_print_xml("- ", f->old_xml);
			vm_convert_print_xml("+ ", f->new_xml);
		}
		if (f->filter_note != NULL)
			printf("domain \"%s\": interface %s: %s\n", v->name, f->port.mac,
			       f->filter_note);
		for (w = 0; w < f->nwarnings; w++)
			printf("warning: domain \"%s\": interface %s: %s\n", v->name, f->port.mac,
			       f->warnings[w]);
	}
	if (v->report.memory.changed) {
		printf("domain \"%s\": memory shared with the switch: %s\n", v->name,
		       v->report.memory.what);
		if (dry) {
			vm_convert_print_xml("- ", v->report.memory.old_xml);
			vm_convert_print_xml("+ ", v->report.memory.new_xml);
		}
	}
	if (v->running)
		printf("domain \"%s\" is running: the change %s at its next cold start (shut it "
		       "down, then start it: a reboot from inside the guest is not enough)\n",
		       v->name, dry ? "would take effect" : "takes effect");
}

static void vm_convert_print_text(const struct vm_convert_cmd *c)
{
	unsigned int i, done = 0;

	for (i = 0; i < c->nconvs; i++) {
		if (c->convs[i].n > 0) {
			vm_convert_print_domain(c, &c->convs[i]);
			done++;
		} else if (!c->args.set[VM_OPT_ALL]) {
			printf("%s\n", c->convs[i].report.note);
		}
	}
	if (done == 0 && c->args.set[VM_OPT_ALL])
		printf("no persistent domain has an interface on bridge %s: nothing to do\n",
		       c->args.val[VM_OPT_BRIDGE]);
	else if (done > 0 && c->args.set[VM_OPT_DRY_RUN])
		printf("dry run: nothing changed\n");
}

static struct json_object *vm_convert_json_str(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static struct json_object *vm_convert_json_domain(const struct vm_conv *v)
{
	struct json_object *o = json_object_new_object(), *ifaces = json_object_new_array(), *f,
	                   *warnings, *mem = json_object_new_object();
	const struct vm_converted *x;
	unsigned int i, w;

	json_object_object_add(o, "domain", json_object_new_string(v->name));
	json_object_object_add(o, "running", json_object_new_boolean(v->running));
	for (i = 0; i < v->report.n; i++) {
		x = &v->report.ifaces[i];
		f = json_object_new_object();
		json_object_object_add(f, "position", json_object_new_int((int)x->position));
		vm_out_port_json(f, &x->port);
		json_object_object_add(f, "old", vm_convert_json_str(x->old_xml));
		json_object_object_add(f, "new", vm_convert_json_str(x->new_xml));
		warnings = json_object_new_array();
		for (w = 0; w < x->nwarnings; w++)
			json_object_array_add(warnings, json_object_new_string(x->warnings[w]));
		json_object_object_add(f, "warnings", warnings);
		json_object_object_add(f, "nwfilter", vm_convert_json_str(x->filter_note));
		json_object_array_add(ifaces, f);
	}
	json_object_object_add(o, "interfaces", ifaces);
	json_object_object_add(mem, "changed", json_object_new_boolean(v->report.memory.changed));
	json_object_object_add(mem, "what", json_object_new_string(v->report.memory.what));
	json_object_object_add(mem, "old", vm_convert_json_str(v->report.memory.old_xml));
	json_object_object_add(mem, "new", vm_convert_json_str(v->report.memory.new_xml));
	json_object_object_add(o, "memory", mem);
	json_object_object_add(o, "note", vm_convert_json_str(v->n == 0 ? v->report.note : NULL));
	return o;
}

static int vm_convert_print(const struct vm_convert_cmd *c)
{
	struct json_object *all;
	unsigned int i;
	int status;

	if (!c->opts->json) {
		vm_convert_print_text(c);
		return vm_out_json(c->opts, NULL);
	}
	all = json_object_new_array();
	for (i = 0; i < c->nconvs; i++)
		json_object_array_add(all, vm_convert_json_domain(&c->convs[i]));
	status = vm_out_json(c->opts, all);
	json_object_put(all);
	return status;
}

static void vm_convert_free(struct vm_convert_cmd *c)
{
	unsigned int i;

	for (i = 0; i < c->nconvs; i++) {
		vm_convert_report_clear(&c->convs[i].report);
		xmlFreeDoc(c->convs[i].doc);
		free(c->convs[i].original);
		virDomainFree(c->convs[i].dom);
	}
	free(c->convs);
}

int vm_convert_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv)
{
	struct vm_convert_cmd c = { .opts = opts };
	int ret;

	if (vm_args_read(def, argc, argv, &c.args) < 0)
		return LANCTL_EXIT_USAGE;
	if (virt_open(&c.virt, opts->uri) < 0)
		return LANCTL_EXIT_REFUSED;
	c.nets = (struct vm_net_resolver){ virt_network_bridge, &c.virt };

	ret = c.args.set[VM_OPT_ALL] ? vm_convert_all(&c) : vm_convert_named(&c);
	if (ret == 0)
		ret = vm_convert_routers_check(&c);
	if (ret == 0)
		ret = vm_convert_plan_all(&c);
	if (ret == 0 && !c.args.set[VM_OPT_DRY_RUN] && vm_convert_any(&c)) {
		ret = vm_sockdir_make(c.args.socket_dir);
		if (ret == 0)
			ret = vm_convert_apply(&c);
	}
	ret = ret == 0 ? vm_convert_print(&c) : vm_exit(ret);
	vm_convert_free(&c);
	virt_close(&c.virt);
	return ret;
}
