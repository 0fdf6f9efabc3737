/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `lanctl vm list`: every domain's ports on the switch, one row each: the domain and its
 * state, the port, its MAC, and the switch's view of it (link, rx/tx packets, drops).
 *
 * A domain's ports are those its metadata names (attach and convert write it): the persistent
 * definition's for a persistent domain, the one the next start uses; the running one's for a
 * transient domain. libvirt's own interface statistics come, for vhost-user, from Open
 * vSwitch and are empty here: this is where a guest's counters are.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "virt.h"
#include "vm_cmd.h"

enum vm_list_col {
	VM_LIST_COL_DOMAIN,
	VM_LIST_COL_STATE,
	VM_LIST_COL_PORT,
	VM_LIST_COL_MAC,
	VM_LIST_COL_LINK,
	VM_LIST_COL_RX,
	VM_LIST_COL_TX,
	VM_LIST_COL_DROPS,
	VM_LIST_COL_MAX
};

static const struct print_col vm_list_cols[VM_LIST_COL_MAX] = {
	[VM_LIST_COL_DOMAIN] = { "DOMAIN", false }, [VM_LIST_COL_STATE] = { "STATE", false },
	[VM_LIST_COL_PORT] = { "PORT", false },     [VM_LIST_COL_MAC] = { "MAC", false },
	[VM_LIST_COL_LINK] = { "LINK", false },     [VM_LIST_COL_RX] = { "RX_PKTS", true },
	[VM_LIST_COL_TX] = { "TX_PKTS", true },     [VM_LIST_COL_DROPS] = { "DROPS", true },
};

static int vm_list_by_name(const void *a, const void *b)
{
	return strcmp(virDomainGetName(*(virDomainPtr const *)a),
	              virDomainGetName(*(virDomainPtr const *)b));
}

/* The sum of a port's drop counters: its reasons are in `port list`. */
static uint64_t vm_list_drops(struct json_object *port)
{
	struct json_object *drops;
	uint64_t sum = 0;

	if (json_object_object_get_ex(port, "drops", &drops) &&
	    json_object_is_type(drops, json_type_object)) {
		json_object_object_foreach(drops, reason, count)
		{
			(void)reason;
			sum += json_object_get_uint64(count);
		}
	}
	return sum;
}

static void vm_list_copy(struct json_object *row, struct json_object *port, const char *key)
{
	struct json_object *v = NULL;

	if (port != NULL)
		json_object_object_get_ex(port, key, &v);
	json_object_object_add(row, key, json_object_get(v));
}

/* One row: the domain's port joined with the switch's (NULL: it has no such port). */
static struct json_object *vm_list_row(virDomainPtr dom, const struct vm_port *p,
                                       struct json_object *port)
{
	struct json_object *row = json_object_new_object();

	json_object_object_add(row, "domain", json_object_new_string(virDomainGetName(dom)));
	json_object_object_add(row, "state", json_object_new_string(virt_domain_state(dom)));
	vm_out_port_json(row, p);
	vm_list_copy(row, port, "link");
	vm_list_copy(row, port, "status");
	vm_list_copy(row, port, "rx_packets");
	vm_list_copy(row, port, "rx_bytes");
	vm_list_copy(row, port, "tx_packets");
	vm_list_copy(row, port, "tx_bytes");
	json_object_object_add(row, "drops",
	                       port != NULL ? json_object_new_uint64(vm_list_drops(port)) : NULL);
	return row;
}

/* The domain's rows, appended; a domain without lanswitch metadata has none. */
static int vm_list_domain(virDomainPtr dom, struct json_object *switch_ports,
                          struct json_object *rows)
{
	unsigned int flags =
	        virDomainIsPersistent(dom) == 1 ? VIR_DOMAIN_AFFECT_CONFIG : VIR_DOMAIN_AFFECT_LIVE;
	struct vm_port ports[VM_PORTS_MAX];
	char *meta, err[256];
	int n, i;

	meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, VM_XML_NS, flags);
	if (meta == NULL) {
		/* none of ours, or the domain was undefined since libvirt listed it */
		if (virt_error_code() == VIR_ERR_NO_DOMAIN_METADATA ||
		    virt_error_code() == VIR_ERR_NO_DOMAIN)
			return 0;
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", virDomainGetName(dom), virt_error());
		return -EIO;
	}
	n = vm_xml_metadata_parse(meta, ports, VM_PORTS_MAX, err, sizeof(err));
	free(meta);
	if (n < 0) {
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", virDomainGetName(dom), err);
		return n;
	}
	for (i = 0; i < n; i++)
		json_object_array_add(
		        rows, vm_list_row(dom, &ports[i],
		                          vm_switch_port_find(switch_ports, ports[i].name)));
	return 0;
}

static int vm_list_rows(struct virt *v, struct json_object *switch_ports, struct json_object *rows)
{
	virDomainPtr *doms = NULL;
	int n, i, ret = 0;

	n = virConnectListAllDomains(v->conn, &doms, 0);
	if (n < 0) {
		fprintf(stderr, "lanctl: libvirt %s: listing domains: %s\n", v->uri, virt_error());
		return -EIO;
	}
	qsort(doms, (size_t)n, sizeof(*doms), vm_list_by_name);
	/* one domain that cannot be read (said) hides none of the others' rows */
	for (i = 0; i < n; i++) {
		if (vm_list_domain(doms[i], switch_ports, rows) < 0)
			ret = -EIO;
		virDomainFree(doms[i]);
	}
	free(doms);
	return ret;
}

static void vm_list_cells(struct json_object *row, char cell[][PRINT_CELL_MAX])
{
	print_cell_str(cell[VM_LIST_COL_DOMAIN], row, "domain");
	print_cell_str(cell[VM_LIST_COL_STATE], row, "state");
	print_cell_str(cell[VM_LIST_COL_PORT], row, "port");
	print_cell_str(cell[VM_LIST_COL_MAC], row, "mac");
	print_cell_str(cell[VM_LIST_COL_LINK], row, "link");
	/* a port the metadata names but the switch does not have: said, not a blank "-" */
	if (print_get_str(row, "link") == NULL)
		snprintf(cell[VM_LIST_COL_LINK], PRINT_CELL_MAX, "no port");
	print_cell_u64(cell[VM_LIST_COL_RX], row, "rx_packets");
	print_cell_u64(cell[VM_LIST_COL_TX], row, "tx_packets");
	print_cell_u64(cell[VM_LIST_COL_DROPS], row, "drops");
}

int vm_list_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv)
{
	static const struct print_table table = {
		.cols = vm_list_cols,
		.ncols = VM_LIST_COL_MAX,
		.header = true,
		.cells = vm_list_cells,
	};
	struct json_object *switch_ports = NULL, *rows = NULL;
	struct virt v;
	int ret, status;

	if (virt_open(&v, opts->uri) < 0)
		return LANCTL_EXIT_REFUSED;
	ret = vm_switch_ports(opts, &switch_ports);
	if (ret == 0) {
		rows = json_object_new_array();
		ret = vm_list_rows(&v, switch_ports, rows);
	}
	/* what could be read is printed even when a domain could not: exit code 1 says so */
	if (rows != NULL && !opts->json)
		print_table(&table, rows, stdout);
	if (rows != NULL) {
		status = vm_out_json(opts, opts->json ? rows : NULL);
		ret = ret < 0 ? LANCTL_EXIT_REFUSED : status;
	} else {
		ret = vm_exit(ret);
	}
	json_object_put(rows);
	json_object_put(switch_ports);
	virt_close(&v);
	return ret;
}
