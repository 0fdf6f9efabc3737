/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A domain's port guard (vm_xml.h): what lanctl sets, the `port set` words that set it, and
 * the comparison the follow agent makes with what the switch reports.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_xml.h"

void vm_guard_off(struct vm_guard *g)
{
	memset(g, 0, sizeof(*g));
	g->recorded = true;
	g->dhcp_server = true;
	g->ra = true;
}

void vm_guard_init(struct vm_guard *g, const char *mac, bool router)
{
	vm_guard_off(g);
	snprintf(g->macs[0], sizeof(g->macs[0]), "%s", mac);
	g->nmacs = 1;
	g->dhcp_server = router;
	g->ra = router;
}

/* A prefix: family, length and the address (its host bits 0). */
struct vm_net {
	int family;
	unsigned int prefix;
	unsigned char addr[16];
};

static int vm_net_parse(const char *s, struct vm_net *n)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned char host = 0;
	unsigned long prefix;
	unsigned int i, bytes;
	char *end;

	memset(n, 0, sizeof(*n));
	if (slash == NULL || (size_t)(slash - s) >= sizeof(ip) || slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	n->family = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;
	bytes = n->family == AF_INET6 ? 16 : 4;
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || prefix > bytes * 8 ||
	    inet_pton(n->family, ip, n->addr) != 1)
		return -EINVAL;
	n->prefix = (unsigned int)prefix;
	/* host bits set (192.168.1.5/24) are refused, as the switch refuses them (guard.c) */
	for (i = 0; i < bytes; i++) {
		if (i * 8 >= prefix)
			host |= n->addr[i];
		else if (i * 8 + 8 > prefix)
			host |= n->addr[i] & (unsigned char)(0xff >> (prefix - i * 8));
	}
	return host != 0 ? -EINVAL : 0;
}

bool vm_net_valid(const char *s)
{
	struct vm_net n;

	return strlen(s) < VM_NET_LEN && vm_net_parse(s, &n) == 0;
}

static bool vm_guard_has_mac(const struct vm_guard *g, const char *mac);
static bool vm_guard_has_net(const struct vm_guard *g, const char *net);

/* A list is a set: one already in it is not added again (the switch refuses duplicates). */
int vm_guard_add_net(struct vm_guard *g, const char *s)
{
	if (!vm_net_valid(s))
		return -EINVAL;
	if (vm_guard_has_net(g, s))
		return 0;
	if (g->nnets == VM_GUARD_NETS_MAX)
		return -E2BIG;
	snprintf(g->nets[g->nnets++], VM_NET_LEN, "%s", s);
	return 0;
}

int vm_guard_add_mac(struct vm_guard *g, const char *s)
{
	char mac[VM_MAC_LEN];

	if (vm_mac_parse(s, mac) < 0)
		return -EINVAL;
	if (vm_guard_has_mac(g, mac))
		return 0;
	if (g->nmacs == VM_GUARD_MACS_MAX)
		return -E2BIG;
	memcpy(g->macs[g->nmacs++], mac, VM_MAC_LEN);
	return 0;
}

static const char *const vm_guard_key_word[VM_GUARD_KEYS] = {
	[VM_GUARD_ALLOWED_MAC] = "allowed-mac",
	[VM_GUARD_ARP] = "arp-guard",
	[VM_GUARD_DHCP_SERVER] = "dhcp-server",
	[VM_GUARD_RA] = "ra-guard",
};

int vm_guard_words(const struct vm_guard *g, enum vm_guard_key key, const char *port, char **words)
{
	unsigned int i;
	int n = 0;

	words[n++] = "port";
	words[n++] = "set";
	words[n++] = (char *)port;
	words[n++] = (char *)vm_guard_key_word[key];
	switch (key) {
	case VM_GUARD_ALLOWED_MAC:
		for (i = 0; i < g->nmacs; i++)
			words[n++] = (char *)g->macs[i];
		break;
	case VM_GUARD_ARP:
		for (i = 0; i < g->nnets; i++)
			words[n++] = (char *)g->nets[i];
		break;
	case VM_GUARD_DHCP_SERVER:
		words[n++] = g->dhcp_server ? "allow" : "deny";
		break;
	case VM_GUARD_RA:
		words[n++] = g->ra ? "allow" : "deny";
		break;
	case VM_GUARD_KEYS:
		break;
	}
	if (n == 4) /* an empty list */
		words[n++] = "none";
	return n;
}

/* Whether mac is in g's allowed-mac, however either writes it (case, one-digit octets). */
static bool vm_guard_has_mac(const struct vm_guard *g, const char *mac)
{
	char want[VM_MAC_LEN], have[VM_MAC_LEN];
	unsigned int i;

	if (vm_mac_parse(mac, want) < 0)
		return false;
	for (i = 0; i < g->nmacs; i++)
		if (vm_mac_parse(g->macs[i], have) == 0 && strcmp(want, have) == 0)
			return true;
	return false;
}

static bool vm_guard_has_net(const struct vm_guard *g, const char *net)
{
	struct vm_net want, have;
	unsigned int i;

	if (vm_net_parse(net, &want) < 0)
		return false;
	for (i = 0; i < g->nnets; i++)
		if (vm_net_parse(g->nets[i], &have) == 0 && memcmp(&want, &have, sizeof(want)) == 0)
			return true;
	return false;
}

/* Every element of a's list is in b's. */
static bool vm_guard_subset(const struct vm_guard *a, const struct vm_guard *b,
                            enum vm_guard_key key)
{
	unsigned int i;

	if (key == VM_GUARD_ALLOWED_MAC) {
		for (i = 0; i < a->nmacs; i++)
			if (!vm_guard_has_mac(b, a->macs[i]))
				return false;
		return true;
	}
	for (i = 0; i < a->nnets; i++)
		if (!vm_guard_has_net(b, a->nets[i]))
			return false;
	return true;
}

bool vm_guard_key_equal(const struct vm_guard *a, const struct vm_guard *b, enum vm_guard_key key)
{
	switch (key) {
	case VM_GUARD_ALLOWED_MAC:
	case VM_GUARD_ARP:
		return vm_guard_subset(a, b, key) && vm_guard_subset(b, a, key);
	case VM_GUARD_DHCP_SERVER:
		return a->dhcp_server == b->dhcp_server;
	case VM_GUARD_RA:
		return a->ra == b->ra;
	case VM_GUARD_KEYS:
		break;
	}
	return true;
}

bool vm_guard_equal(const struct vm_guard *a, const struct vm_guard *b)
{
	unsigned int k;

	for (k = 0; k < VM_GUARD_KEYS; k++)
		if (!vm_guard_key_equal(a, b, (enum vm_guard_key)k))
			return false;
	return true;
}

void vm_guard_text(const struct vm_guard *g, unsigned int keys, char *buf, size_t len)
{
	char *words[VM_GUARD_WORDS_MAX];
	size_t used = 0;
	unsigned int k;
	int n, i;

	buf[0] = '\0';
	for (k = 0; k < VM_GUARD_KEYS; k++) {
		if (!(keys & VM_GUARD_BIT(k)) || (k == VM_GUARD_ARP && g->nnets == 0))
			continue;
		n = vm_guard_words(g, (enum vm_guard_key)k, "", words);
		/* the key and its values, after "port set NAME" */
		for (i = 3; i < n && used < len; i++)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			                         i > 3      ? " "
			                         : used > 0 ? ", "
			                                    : "",
			                         words[i]);
	}
}
