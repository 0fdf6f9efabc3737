/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Any DPDK device by its devargs: a PCI NIC under vfio-pci ("0000:01:00.0") or a vdev
 * ("net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap", "net_ring0"). A device that already exists
 * (probed by the EAL's -a/--vdev, or made by a test with rte_eth_from_rings) is attached by
 * name and left in place when the port goes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_dev.h>

#include "api/words.h"
#include "ports/port.h"

struct dpdk_priv {
	char devargs[256];
	bool probed; /* we probed it, so we remove it */
};

static int dpdk_find(const char *devargs, uint16_t *eth_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t len = strcspn(devargs, ",");

	if (len >= sizeof(name))
		return -ENAMETOOLONG;
	memcpy(name, devargs, len);
	name[len] = '\0';
	return rte_eth_dev_get_port_by_name(name, eth_id);
}

static bool dpdk_in_use(uint16_t eth_id, const struct port *self)
{
	uint16_t i;

	for (i = 0; i < port_table_len; i++)
		if (port_table[i] != NULL && port_table[i] != self &&
		    port_table[i]->eth_id == eth_id)
			return true;
	return false;
}

static void dpdk_remove(uint16_t eth_id)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(eth_id, &info) == 0 && info.device != NULL)
		rte_dev_remove(info.device);
}

static int dpdk_open(struct port *p, int argc, char **argv, char *err, size_t errlen)
{
	struct dpdk_priv *d;
	int ret;

	if (argc != 1) {
		snprintf(err, errlen, "usage: port add NAME dpdk DEVARGS");
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	if (strlen(argv[0]) >= sizeof(d->devargs)) {
		ret = -ENAMETOOLONG;
		snprintf(err, errlen, "port \"%s\": devargs too long", p->name);
		goto err_free;
	}
	strcpy(d->devargs, argv[0]);
	if (dpdk_find(d->devargs, &p->eth_id) == 0) {
		if (dpdk_in_use(p->eth_id, p)) {
			ret = -EBUSY;
			snprintf(err, errlen, "port \"%s\": device %s is already a port", p->name,
			         d->devargs);
			goto err_free;
		}
	} else {
		/* DPDK's codes say little here (an unknown driver is -EFAULT): name the usual
		 * causes, and the drivers lanswitchd is linked with; the EAL's log has the
		 * details */
		ret = rte_dev_probe(d->devargs);
		if (ret < 0) {
			snprintf(err, errlen,
			         "port \"%s\": device %s: probe failed (unknown driver, bad "
			         "arguments or device in use; drivers: " LS_DPDK_DRIVERS ")",
			         p->name, d->devargs);
			goto err_free;
		}
		d->probed = true;
		ret = dpdk_find(d->devargs, &p->eth_id);
		if (ret < 0) {
			snprintf(err, errlen,
			         "port \"%s\": device %s: probed, but no ethdev is named "
			         "after it",
			         p->name, d->devargs);
			goto err_free;
		}
	}
	/* where the device has rx interrupts, its worker may sleep (port_eth_start) */
	p->rx_intr = true;
	ret = port_eth_start(p, err, errlen);
	if (ret < 0)
		goto err_remove;
	p->priv = d;
	port_eth_poll(p);
	port_set_status(p, "device %s", d->devargs);
	return 0;

err_remove:
	if (d->probed)
		dpdk_remove(p->eth_id);
err_free:
	free(d);
	return ret;
}

static void dpdk_close(struct port *p)
{
	const struct dpdk_priv *d = p->priv;

	port_eth_stop(p);
	if (d->probed)
		dpdk_remove(p->eth_id);
}

static void dpdk_describe(const struct port *p, FILE *out)
{
	words_quote(out, ((const struct dpdk_priv *)p->priv)->devargs);
}

static void dpdk_show(const struct port *p, struct json_object *o)
{
	const struct dpdk_priv *d = p->priv;

	json_object_object_add(o, "devargs", json_object_new_string(d->devargs));
}

const struct port_ops port_dpdk_ops = {
	.type = "dpdk",
	.open = dpdk_open,
	.close = dpdk_close,
	.describe = dpdk_describe,
	.show = dpdk_show,
	.poll = port_eth_poll,
};
