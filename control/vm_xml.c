/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A domain's XML in and out of a libxml2 document, MAC addresses, and the vhost-user
 * interfaces that attach a domain to the switch (vm_xml.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "vm_xml.h"
#include "vm_xml_node.h"

xmlDocPtr vm_xml_read(const char *xml, char *err, size_t errlen)
{
	xmlErrorPtr e;
	xmlNodePtr root;
	xmlDocPtr doc;
	size_t n;

	/* NONET: a domain's XML never needs anything from the network, and must not fetch. */
	xmlResetLastError();
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		e = xmlGetLastError();
		snprintf(err, errlen, "domain XML, line %d: %s", e != NULL ? e->line : 0,
		         e != NULL && e->message != NULL ? e->message : "not XML");
		n = strlen(err);
		if (n > 0 && err[n - 1] == '\n') /* libxml2's messages end in one */
			err[n - 1] = '\0';
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	if (!vm_node_is(root, "domain")) {
		snprintf(err, errlen, "domain XML: the root element is <%s>, not <domain>",
		         root != NULL ? (const char *)root->name : "");
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

char *vm_xml_write(xmlDocPtr doc)
{
	xmlChar *mem = NULL;
	char *text;
	int size = 0;

	xmlDocDumpMemory(doc, &mem, &size);
	if (mem == NULL)
		return NULL;
	text = strdup((const char *)mem);
	xmlFree(mem);
	return text;
}

int vm_mac_parse(const char *s, char mac[VM_MAC_LEN])
{
	unsigned int i, digits, v, o;
	uint8_t octet[6];
	const char *c = s;

	for (i = 0; i < 6; i++) {
		o = 0;
		for (digits = 0; digits < 2; digits++, c++) {
			if (*c >= '0' && *c <= '9')
				v = (unsigned int)(*c - '0');
			else if (*c >= 'a' && *c <= 'f')
				v = (unsigned int)(*c - 'a' + 10);
			else if (*c >= 'A' && *c <= 'F')
				v = (unsigned int)(*c - 'A' + 10);
			else
				break;
			o = o * 16 + v;
		}
		octet[i] = (uint8_t)o;
		if (digits == 0 || *c != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		c++;
	}
	if (octet[0] & 1) /* the group bit: a multicast address is no NIC's */
		return -EINVAL;
	snprintf(mac, VM_MAC_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", octet[0], octet[1], octet[2],
	         octet[3], octet[4], octet[5]);
	return 0;
}

/* A new child of parent after after (NULL: first) with one attribute, indented as the rest. */
static xmlNodePtr vm_xml_add(xmlNodePtr parent, xmlNodePtr after, const char *name,
                             const char *attr, const char *value)
{
	xmlNodePtr node = vm_node_insert(parent, after, name);

	if (node == NULL || xmlNewProp(node, BAD_CAST attr, BAD_CAST value) == NULL)
		return NULL;
	return node;
}

/*
 * The children of the switch's <interface type='vhostuser'>: the MAC, the socket in
 * mode='server' and the virtio model; mac and path checked already. -ENOMEM.
 */
static int vm_xml_interface_fill(xmlNodePtr iface, const char *mac, const char *path)
{
	xmlNodePtr m, source;

	if (xmlSetProp(iface, BAD_CAST "type", BAD_CAST "vhostuser") == NULL ||
	    (m = vm_xml_add(iface, NULL, "mac", "address", mac)) == NULL ||
	    (source = vm_xml_add(iface, m, "source", "type", "unix")) == NULL ||
	    xmlNewProp(source, BAD_CAST "path", BAD_CAST path) == NULL ||
	    xmlNewProp(source, BAD_CAST "mode", BAD_CAST "server") == NULL ||
	    vm_xml_add(iface, source, "model", "type", "virtio") == NULL)
		return -ENOMEM;
	return 0;
}

static int vm_xml_interface_check(const char *mac, const char *socket_path, char norm[VM_MAC_LEN],
                                  char *err, size_t errlen)
{
	if (vm_mac_parse(mac, norm) < 0) {
		snprintf(err, errlen,
		         "MAC \"%s\": expected a unicast address such as 52:54:00:12:34:56", mac);
		return -EINVAL;
	}
	return vm_socket_path_check(socket_path, err, errlen);
}

int vm_xml_interface_new(const char *mac, const char *socket_path, char **xml, char *err,
                         size_t errlen)
{
	char norm[VM_MAC_LEN];
	xmlNodePtr iface;
	xmlDocPtr doc;
	int ret;

	*xml = NULL;
	ret = vm_xml_interface_check(mac, socket_path, norm, err, errlen);
	if (ret < 0)
		return ret;

	/* Built with libxml2 rather than printed: the path is escaped as XML wants. */
	ret = -ENOMEM;
	doc = xmlNewDoc(BAD_CAST "1.0");
	if (doc == NULL)
		return -ENOMEM;
	iface = xmlNewDocNode(doc, NULL, BAD_CAST "interface", NULL);
	if (iface == NULL)
		goto free_doc;
	xmlDocSetRootElement(doc, iface);
	if (vm_xml_interface_fill(iface, norm, socket_path) < 0)
		goto free_doc;
	*xml = vm_node_format(iface);
	if (*xml != NULL)
		ret = 0;
free_doc:
	xmlFreeDoc(doc);
	return ret;
}

/* The domain's last <interface>, or its last device when it has none; NULL: none at all. */
static xmlNodePtr vm_xml_last_iface(xmlNodePtr devices)
{
	xmlNodePtr c, last = NULL, last_device = NULL;

	for (c = devices->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		last_device = c;
		if (vm_node_is(c, "interface"))
			last = c;
	}
	return last != NULL ? last : last_device;
}

int vm_xml_interface_add(xmlDocPtr doc, const char *mac, const char *socket_path, char *err,
                         size_t errlen)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), devices, iface;
	char norm[VM_MAC_LEN];
	int ret;

	ret = vm_xml_interface_check(mac, socket_path, norm, err, errlen);
	if (ret < 0)
		return ret;
	if (!vm_node_is(root, "domain")) {
		snprintf(err, errlen, "domain XML: no <domain>");
		return -EINVAL;
	}
	devices = vm_node_child(root, "devices");
	if (devices == NULL)
		devices = vm_node_insert(root, xmlGetLastChild(root), "devices");
	if (devices == NULL)
		return -ENOMEM;
	/* beside the domain's other NICs: libvirt gives it the next free PCI slot at define */
	iface = vm_node_insert(devices, vm_xml_last_iface(devices), "interface");
	if (iface == NULL)
		return -ENOMEM;
	return vm_xml_interface_fill(iface, norm, socket_path);
}

/* Whether iface is a vhost-user interface on one of ports' sockets. */
static bool vm_xml_iface_on(xmlNodePtr iface, const struct vm_port *ports, unsigned int n)
{
	char path[VM_SOCKET_PATH_MAX];
	unsigned int i;

	if (!vm_node_attr_is(iface, "type", "vhostuser") ||
	    vm_node_attr(vm_node_child(iface, "source"), "path", path, sizeof(path)) < 0)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(path, ports[i].socket) == 0)
			return true;
	return false;
}

int vm_xml_interfaces_take(xmlDocPtr doc, const struct vm_port *ports, unsigned int n,
                           char **removed, unsigned int max)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), iface, next;
	unsigned int taken = 0;

	if (!vm_node_is(root, "domain"))
		return -EINVAL;
	for (iface = vm_node_child(vm_node_child(root, "devices"), "interface"); iface != NULL;
	     iface = next) {
		next = vm_node_next(iface, "interface");
		if (!vm_xml_iface_on(iface, ports, n))
			continue;
		if (taken < max) {
			removed[taken] = vm_node_format(iface);
			if (removed[taken] == NULL)
				return -ENOMEM;
		}
		taken++;
		vm_node_remove(iface);
	}
	return (int)taken;
}

int vm_xml_mac_position(xmlDocPtr doc, const char *mac)
{
	xmlNodePtr iface =
	        vm_node_child(vm_node_child(xmlDocGetRootElement(doc), "devices"), "interface");
	char have[64], norm[VM_MAC_LEN];
	int position = 0;

	for (; iface != NULL; iface = vm_node_next(iface, "interface")) {
		position++;
		if (vm_node_attr(vm_node_child(iface, "mac"), "address", have, sizeof(have)) >= 0 &&
		    vm_mac_parse(have, norm) == 0 && strcmp(norm, mac) == 0)
			return position;
	}
	return 0;
}

/* Whether path is a file under dir ("/" and trailing slashes taken), not reached by "..". */
static bool vm_xml_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 0 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0' &&
	       strstr(path + n, "/../") == NULL;
}

int vm_xml_lanswitch_ifaces(xmlDocPtr doc, const char *socket_dir, struct vm_iface *ifaces,
                            unsigned int max)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), iface, source;
	unsigned int position = 0, n = 0;
	char path[VM_SOCKET_PATH_MAX], queues[16], mac[VM_MAC_LEN];
	struct vm_iface *f;

	if (!vm_node_is(root, "domain"))
		return -EINVAL;
	for (iface = vm_node_child(vm_node_child(root, "devices"), "interface"); iface != NULL;
	     iface = vm_node_next(iface, "interface")) {
		position++;
		source = vm_node_child(iface, "source");
		if (!vm_node_attr_is(iface, "type", "vhostuser") ||
		    vm_node_attr(source, "path", path, sizeof(path)) < 0 ||
		    !vm_xml_under(path, socket_dir))
			continue;
		if (n++ >= max)
			continue;
		f = &ifaces[n - 1];
		f->position = position;
		snprintf(f->socket, sizeof(f->socket), "%s", path);
		vm_node_attr(vm_node_child(iface, "mac"), "address", mac, sizeof(mac));
		if (vm_mac_parse(mac, f->mac) < 0)
			f->mac[0] = '\0';
		f->queues = 1;
		if (vm_node_attr(vm_node_child(iface, "driver"), "queues", queues,
		                 sizeof(queues)) >= 0)
			f->queues = (unsigned int)strtoul(queues, NULL, 10);
	}
	return (int)n;
}
