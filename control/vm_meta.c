/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lanswitch element of a domain's <metadata>: the domain's ports and their VLANs
 * (vm_xml.h says how libvirt stores it and why it is written without a prefix).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "vm_xml.h"
#include "vm_xml_node.h"

void vm_vlan_set_access(struct vm_vlan *v, uint16_t vid)
{
	memset(v, 0, sizeof(*v));
	v->access = vid;
}

void vm_vlan_add_tagged(struct vm_vlan *v, uint16_t vid)
{
	v->access = 0;
	v->tagged[vid / 64] |= 1ull << (vid % 64);
}

bool vm_vlan_is_tagged(const struct vm_vlan *v, uint16_t vid)
{
	return (v->tagged[vid / 64] >> (vid % 64)) & 1;
}

static bool vm_vlan_any_tagged(const struct vm_vlan *v)
{
	unsigned int i;

	for (i = 0; i < VM_VLAN_WORDS; i++)
		if (v->tagged[i] != 0)
			return true;
	return false;
}

char *vm_vlan_trunk_text(const struct vm_vlan *v)
{
	char *text = malloc(VM_VLAN_MAX * 5 + 1), *o = text;
	uint16_t vid;

	if (text == NULL)
		return NULL;
	*o = '\0';
	for (vid = 1; vid <= VM_VLAN_MAX; vid++)
		if (vm_vlan_is_tagged(v, vid))
			o += sprintf(o, "%s%u", o == text ? "" : ",", vid);
	return text;
}

/* Whether the switch would take the guard's lists: why says why not. */
static int vm_meta_check_guard(const struct vm_guard *g, char *why, size_t len)
{
	char mac[VM_MAC_LEN];
	unsigned int i;

	if (g->nmacs > VM_GUARD_MACS_MAX || g->nnets > VM_GUARD_NETS_MAX) {
		snprintf(why, len, "more than %d allowed-mac or arp-guard entries",
		         VM_GUARD_MACS_MAX);
		return -EINVAL;
	}
	for (i = 0; i < g->nmacs; i++)
		if (vm_mac_parse(g->macs[i], mac) < 0) {
			snprintf(why, len, "allowed-mac \"%s\" is not a unicast MAC address",
			         g->macs[i]);
			return -EINVAL;
		}
	for (i = 0; i < g->nnets; i++)
		if (!vm_net_valid(g->nets[i])) {
			snprintf(why, len, "arp-guard \"%s\" is not an IP/PREFIX", g->nets[i]);
			return -EINVAL;
		}
	return 0;
}

/* Whether lanswitchd would take the port: err says why not. */
static int vm_meta_check(const struct vm_port *p, unsigned int i, char *err, size_t errlen)
{
	char mac[VM_MAC_LEN], why[160];
	bool trunk = vm_vlan_any_tagged(&p->vlan);

	if (!vm_port_name_valid(p->name))
		snprintf(why, sizeof(why), "name \"%s\" is not a port name", p->name);
	else if (vm_mac_parse(p->mac, mac) < 0)
		snprintf(why, sizeof(why), "mac \"%s\" is not a unicast MAC address", p->mac);
	else if (vm_socket_path_check(p->socket, why, sizeof(why)) < 0)
		;
	else if (trunk == (p->vlan.access != 0))
		snprintf(why, sizeof(why), "has %s", trunk ? "both a VLAN and a trunk" : "no VLAN");
	else if (p->vlan.access > VM_VLAN_MAX || p->vlan.native > VM_VLAN_MAX ||
	         vm_vlan_is_tagged(&p->vlan, 0))
		snprintf(why, sizeof(why), "a VLAN outside 1-%d", VM_VLAN_MAX);
	else if (vm_meta_check_guard(&p->guard, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "metadata: port %u: %s", i + 1, why);
	return -EINVAL;
}

/* The port's VLANs on its <port> element: vlan='N', or trunk='N,M...' [native='N']. */
static int vm_meta_vlan_attrs(xmlNodePtr node, const struct vm_vlan *v)
{
	char num[8], *trunk;
	int ret = -ENOMEM;

	if (v->access != 0) {
		snprintf(num, sizeof(num), "%u", v->access);
		return xmlNewProp(node, BAD_CAST "vlan", BAD_CAST num) != NULL ? 0 : -ENOMEM;
	}
	trunk = vm_vlan_trunk_text(v);
	if (trunk == NULL || xmlNewProp(node, BAD_CAST "trunk", BAD_CAST trunk) == NULL)
		goto free_trunk;
	snprintf(num, sizeof(num), "%u", v->native);
	if (v->native == 0 || xmlNewProp(node, BAD_CAST "native", BAD_CAST num) != NULL)
		ret = 0;
free_trunk:
	free(trunk);
	return ret;
}

/*
 * The guard on the <port> element, in the words of `port set`: allowed-mac='M...' and
 * arp-guard='IP/PREFIX...' (space-separated, left out when empty), dhcp-server and ra-guard
 * 'allow' or 'deny', always written: they are what says the guard is recorded.
 */
static int vm_meta_guard_attrs(xmlNodePtr node, const struct vm_guard *g)
{
	char *words[VM_GUARD_WORDS_MAX], list[VM_GUARD_NETS_MAX * VM_NET_LEN];
	unsigned int k;
	size_t used;
	int n, i;

	if (!g->recorded)
		return 0;
	for (k = 0; k < VM_GUARD_KEYS; k++) {
		n = vm_guard_words(g, (enum vm_guard_key)k, "", words);
		if (n == 5 && strcmp(words[4], "none") == 0)
			continue;
		list[0] = '\0';
		for (i = 4, used = 0; i < n && used < sizeof(list); i++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
			                         i > 4 ? " " : "", words[i]);
		if (xmlNewProp(node, BAD_CAST words[3], BAD_CAST list) == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* The port's attributes on its new <port> element. */
static int vm_meta_port_attrs(xmlNodePtr node, const struct vm_port *p)
{
	int ret;

	if (node == NULL || xmlNewProp(node, BAD_CAST "name", BAD_CAST p->name) == NULL ||
	    xmlNewProp(node, BAD_CAST "mac", BAD_CAST p->mac) == NULL ||
	    xmlNewProp(node, BAD_CAST "socket", BAD_CAST p->socket) == NULL)
		return -ENOMEM;
	ret = vm_meta_vlan_attrs(node, &p->vlan);
	return ret < 0 ? ret : vm_meta_guard_attrs(node, &p->guard);
}

int vm_xml_metadata_format(const struct vm_port *ports, unsigned int n, char **xml, char *err,
                           size_t errlen)
{
	xmlNodePtr root;
	xmlDocPtr doc;
	unsigned int i;
	int ret;

	*xml = NULL;
	for (i = 0; i < n; i++) {
		ret = vm_meta_check(&ports[i], i, err, errlen);
		if (ret < 0)
			return ret;
	}
	ret = -ENOMEM;
	doc = xmlNewDoc(BAD_CAST "1.0");
	if (doc == NULL)
		return -ENOMEM;
	root = xmlNewDocNode(doc, NULL, BAD_CAST "ports", NULL);
	if (root == NULL)
		goto free_doc;
	xmlDocSetRootElement(doc, root);
	for (i = 0; i < n; i++)
		if (vm_meta_port_attrs(xmlNewChild(root, NULL, BAD_CAST "port", NULL), &ports[i]) <
		    0)
			goto free_doc;
	*xml = vm_node_format(root);
	if (*xml != NULL)
		ret = 0;
free_doc:
	xmlFreeDoc(doc);
	return ret;
}

/* An element of ours: name, in our namespace or (as libvirt hands it back) in none. */
static bool vm_meta_is(xmlNodePtr node, const char *name)
{
	return node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, BAD_CAST name) &&
	       (node->ns == NULL || xmlStrEqual(node->ns->href, BAD_CAST VM_XML_NS));
}

/* 1-4094, as lanswitchd takes a VLAN ID. */
/* "1" to "4094", digits only. */
int vm_vlan_parse_id(const char *s, uint16_t *vid)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > VM_VLAN_MAX)
		return -EINVAL;
	*vid = (uint16_t)v;
	return 0;
}

/* "20,30": VLAN IDs separated by single commas, none empty; v becomes that trunk. */
int vm_vlan_parse_trunk(const char *s, struct vm_vlan *v)
{
	char buf[VM_VLAN_MAX * 5 + 1], *tok, *save = NULL;
	uint16_t vid;
	int n = 0;

	if (strlen(s) >= sizeof(buf) || *s == '\0' || *s == ',' || s[strlen(s) - 1] == ',' ||
	    strstr(s, ",,") != NULL)
		return -EINVAL;
	strcpy(buf, s);
	vm_vlan_set_access(v, 0);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (vm_vlan_parse_id(tok, &vid) < 0)
			return -EINVAL;
		vm_vlan_add_tagged(v, vid);
		n++;
	}
	return n > 0 ? 0 : -EINVAL;
}

/* allow or deny, into *allow; -ENOENT when the attribute is not there. */
static int vm_meta_parse_allow(xmlNodePtr node, const char *attr, bool *allow, char *why,
                               size_t len)
{
	char v[16];

	if (vm_node_attr(node, attr, v, sizeof(v)) == -ENOENT)
		return -ENOENT;
	if (strcmp(v, "allow") != 0 && strcmp(v, "deny") != 0) {
		snprintf(why, len, "%s=\"%.*s\": expected allow or deny", attr, 15, v);
		return -EINVAL;
	}
	*allow = strcmp(v, "allow") == 0;
	return 0;
}

/* A space-separated list of allowed-mac or arp-guard into g; "none" or "" is an empty one. */
static int vm_meta_parse_list(xmlNodePtr node, enum vm_guard_key key, struct vm_guard *g, char *why,
                              size_t len)
{
	const char *attr = key == VM_GUARD_ALLOWED_MAC ? "allowed-mac" : "arp-guard";
	char list[VM_GUARD_NETS_MAX * VM_NET_LEN + 1], *tok, *save = NULL;
	int ret;

	ret = vm_node_attr(node, attr, list, sizeof(list));
	if (ret == -ENOENT)
		return -ENOENT;
	if (ret < 0) {
		snprintf(why, len, "%s: more than %d entries", attr, VM_GUARD_NETS_MAX);
		return -EINVAL;
	}
	if (strcmp(list, "none") == 0)
		return 0;
	for (tok = strtok_r(list, " \t\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		ret = key == VM_GUARD_ALLOWED_MAC ? vm_guard_add_mac(g, tok)
		                                  : vm_guard_add_net(g, tok);
		if (ret == -E2BIG)
			snprintf(why, len, "%s: more than %d entries", attr, VM_GUARD_NETS_MAX);
		else if (ret < 0)
			snprintf(why, len, "%s \"%.*s\" is not %s", attr, VM_NET_LEN, tok,
			         key == VM_GUARD_ALLOWED_MAC ? "a unicast MAC address"
			                                     : "an IP/PREFIX");
		if (ret < 0)
			return -EINVAL;
	}
	return 0;
}

/*
 * The port's guard: recorded when any of its attributes is there (lanctl writes dhcp-server
 * and ra-guard always); one left out is the switch's default (no list, allow).
 */
static int vm_meta_parse_guard(xmlNodePtr node, unsigned int i, struct vm_guard *g, char *err,
                               size_t errlen)
{
	bool recorded = false;
	unsigned int k;
	char why[160];
	int ret;

	vm_guard_off(g);
	for (k = 0; k < VM_GUARD_KEYS; k++) {
		if (k == VM_GUARD_ALLOWED_MAC || k == VM_GUARD_ARP)
			ret = vm_meta_parse_list(node, (enum vm_guard_key)k, g, why, sizeof(why));
		else if (k == VM_GUARD_DHCP_SERVER)
			ret = vm_meta_parse_allow(node, "dhcp-server", &g->dhcp_server, why,
			                          sizeof(why));
		else
			ret = vm_meta_parse_allow(node, "ra-guard", &g->ra, why, sizeof(why));
		if (ret == -EINVAL) {
			snprintf(err, errlen, "metadata: port %u: %s", i + 1, why);
			return -EINVAL;
		}
		recorded = recorded || ret == 0;
	}
	if (!recorded) /* none: all zero, as a port made in memory without a guard */
		memset(g, 0, sizeof(*g));
	return 0;
}

/*
 * One <port>. Attributes this version does not know are left alone: a later lanctl may add
 * some, and a change this one could not read would come with a new namespace URI.
 */
static int vm_meta_parse_port(xmlNodePtr node, unsigned int i, struct vm_port *p, char *err,
                              size_t errlen)
{
	char mac[64], vlan[16], native[16], *trunk = NULL;
	xmlChar *t;
	int ret = -EINVAL;

	memset(p, 0, sizeof(*p));
	if (vm_node_attr(node, "name", p->name, sizeof(p->name)) < 0 ||
	    vm_node_attr(node, "socket", p->socket, sizeof(p->socket)) < 0 ||
	    vm_node_attr(node, "mac", mac, sizeof(mac)) < 0) {
		snprintf(err, errlen, "metadata: port %u: needs name, mac and socket", i + 1);
		return -EINVAL;
	}
	/* the MAC as libvirt writes it, so a lookup by MAC compares equal strings */
	if (vm_mac_parse(mac, p->mac) < 0)
		snprintf(p->mac, sizeof(p->mac), "%.17s", mac);

	t = xmlGetNoNsProp(node, BAD_CAST "trunk");
	if (t != NULL && (trunk = strdup((const char *)t)) == NULL) {
		xmlFree(t);
		return -ENOMEM;
	}
	xmlFree(t);
	if (vm_node_attr(node, "vlan", vlan, sizeof(vlan)) >= 0) {
		if (trunk != NULL || vm_vlan_parse_id(vlan, &p->vlan.access) < 0)
			goto bad_vlan;
	} else if (trunk != NULL) {
		if (vm_vlan_parse_trunk(trunk, &p->vlan) < 0)
			goto bad_vlan;
		if (vm_node_attr(node, "native", native, sizeof(native)) >= 0 &&
		    vm_vlan_parse_id(native, &p->vlan.native) < 0)
			goto bad_vlan;
	} else {
		/* none written: lanswitchd's default, an untagged port in VLAN 1 */
		p->vlan.access = 1;
	}
	ret = vm_meta_parse_guard(node, i, &p->guard, err, errlen);
	if (ret == 0)
		ret = vm_meta_check(p, i, err, errlen);
	goto free_trunk;

bad_vlan:
	snprintf(err, errlen,
	         "metadata: port %u: expected vlan='N' or trunk='N,M...' with an optional "
	         "native='N', VLANs 1-%d",
	         i + 1, VM_VLAN_MAX);
free_trunk:
	free(trunk);
	return ret;
}

static int vm_meta_parse_root(xmlNodePtr root, struct vm_port *ports, unsigned int max, char *err,
                              size_t errlen)
{
	unsigned int n = 0;
	xmlNodePtr c;
	int ret;

	if (root == NULL || !vm_meta_is(root, "ports")) {
		snprintf(err, errlen, "metadata: <%s> is not lanswitch's <ports>",
		         root != NULL ? (const char *)root->name : "");
		return -EINVAL;
	}
	for (c = root->children; c != NULL; c = c->next) {
		if (!vm_meta_is(c, "port"))
			continue;
		if (n == max) {
			snprintf(err, errlen, "metadata: more than %u ports", max);
			return -E2BIG;
		}
		ret = vm_meta_parse_port(c, n, &ports[n], err, errlen);
		if (ret < 0)
			return ret;
		n++;
	}
	return (int)n;
}

int vm_xml_metadata_parse(const char *xml, struct vm_port *ports, unsigned int max, char *err,
                          size_t errlen)
{
	xmlErrorPtr e;
	xmlDocPtr doc;
	int ret;

	xmlResetLastError();
	doc = xmlReadMemory(xml, (int)strlen(xml), "metadata.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		e = xmlGetLastError();
		snprintf(err, errlen, "metadata, line %d: %.*s", e != NULL ? e->line : 0,
		         e != NULL && e->message != NULL ? (int)strcspn(e->message, "\n") : 6,
		         e != NULL && e->message != NULL ? e->message : "not XML");
		return -EINVAL;
	}
	ret = vm_meta_parse_root(xmlDocGetRootElement(doc), ports, max, err, errlen);
	xmlFreeDoc(doc);
	return ret;
}

/* Our element in <metadata>, or NULL. */
static xmlNodePtr vm_meta_find(xmlNodePtr meta)
{
	xmlNodePtr c;

	for (c = meta != NULL ? meta->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    xmlStrEqual(c->ns->href, BAD_CAST VM_XML_NS))
			return c;
	return NULL;
}

int vm_xml_metadata_read(xmlDocPtr doc, struct vm_port *ports, unsigned int max, char *err,
                         size_t errlen)
{
	xmlNodePtr ours = vm_meta_find(vm_node_child(xmlDocGetRootElement(doc), "metadata"));

	return ours != NULL ? vm_meta_parse_root(ours, ports, max, err, errlen) : 0;
}

/* <metadata> where libvirt writes it: after the domain's names and descriptions. */
static xmlNodePtr vm_meta_element(xmlNodePtr root)
{
	static const char *const before[] = {
		"name", "uuid", "genid", "title", "description", NULL
	};
	xmlNodePtr meta = vm_node_child(root, "metadata"), c, after = NULL;
	const char *const *n;

	if (meta != NULL)
		return meta;
	for (c = root->children; c != NULL; c = c->next)
		for (n = before; *n != NULL; n++)
			if (vm_node_is(c, *n))
				after = c;
	return vm_node_insert(root, after, "metadata");
}

/* Whether node holds no element (only the indentation left by what was removed). */
static bool vm_meta_empty(xmlNodePtr node)
{
	return xmlFirstElementChild(node) == NULL;
}

int vm_xml_metadata_set(xmlDocPtr doc, const struct vm_port *ports, unsigned int n, char *err,
                        size_t errlen)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), meta, ours, prev = NULL;
	unsigned int i;
	xmlNsPtr ns;
	int ret;

	if (!vm_node_is(root, "domain")) {
		snprintf(err, errlen, "domain XML: no <domain>");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		ret = vm_meta_check(&ports[i], i, err, errlen);
		if (ret < 0)
			return ret;
	}
	meta = vm_node_child(root, "metadata");
	ours = vm_meta_find(meta);
	if (ours != NULL)
		vm_node_remove(ours);
	if (n == 0) {
		if (meta != NULL && vm_meta_empty(meta))
			vm_node_remove(meta);
		return 0;
	}

	meta = vm_meta_element(root);
	if (meta == NULL)
		return -ENOMEM;
	if (vm_meta_empty(meta) && meta->children != NULL) { /* indentation alone: start afresh */
		xmlFreeNodeList(meta->children);
		meta->children = meta->last = NULL;
	}
	/* after what others keep there (libosinfo's element) */
	ours = vm_node_insert(meta, xmlLastElementChild(meta), "ports");
	if (ours == NULL)
		return -ENOMEM;
	/* the prefix libvirt gives it (VM_XML_NS_KEY), declared on our element alone */
	ns = xmlNewNs(ours, BAD_CAST VM_XML_NS, BAD_CAST VM_XML_NS_KEY);
	if (ns == NULL)
		return -ENOMEM;
	xmlSetNs(ours, ns);
	for (i = 0; i < n; i++) {
		prev = vm_node_insert(ours, prev, "port");
		if (prev == NULL)
			return -ENOMEM;
		xmlSetNs(prev, ns);
		ret = vm_meta_port_attrs(prev, &ports[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}
