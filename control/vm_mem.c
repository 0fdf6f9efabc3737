/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whether a domain's RAM is shared with a vhost-user backend, and making it so (vm_xml.h).
 *
 * libvirt 9.0 checks, before it starts a domain with a vhost-user interface
 * (qemuValidateDomainDefVhostUserRequireSharedMemory in qemu_validate.c), the access mode
 * only: without NUMA cells <memoryBacking><access mode='shared'/>; with cells every cell
 * memAccess='shared', or no memAccess and the domain's access shared (a cell's own
 * memAccess wins over the domain's). We check the same, and also that the memory has a
 * file descriptor for QEMU to pass to the switch: a memfd or file source, or hugepages. That
 * is what the issue asks for, and it holds whichever backend libvirt picks for shared memory
 * without a source; adding a memfd source to such a domain changes nothing it relied on.
 *
 * Memory devices (<memory model='dimm'>) have an access of their own and are left alone, as
 * libvirt's check leaves them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_xml.h"
#include "vm_xml_node.h"

/* What a domain says about its memory; any of the nodes may be NULL. */
struct vm_mem {
	xmlNodePtr root;    /* <domain> */
	xmlNodePtr backing; /* <memoryBacking> */
	xmlNodePtr source;
	xmlNodePtr hugepages;
	xmlNodePtr access;
	xmlNodePtr numa; /* <cpu><numa>, holding the <cell>s */
};

static void vm_mem_find(xmlNodePtr root, struct vm_mem *m)
{
	m->root = root;
	m->backing = vm_node_child(root, "memoryBacking");
	m->source = vm_node_child(m->backing, "source");
	m->hugepages = vm_node_child(m->backing, "hugepages");
	m->access = vm_node_child(m->backing, "access");
	m->numa = vm_node_child(vm_node_child(root, "cpu"), "numa");
}

/* "memfd source", "hugepages"...; NULL when QEMU would have no descriptor to pass. */
static const char *vm_mem_backing(const struct vm_mem *m)
{
	if (vm_node_attr_is(m->source, "type", "memfd"))
		return "memfd source";
	if (vm_node_attr_is(m->source, "type", "file"))
		return "file source";
	if (m->source != NULL) /* anonymous: plain process memory */
		return NULL;
	return m->hugepages != NULL ? "hugepages" : NULL;
}

/*
 * Whether every NUMA cell, or the domain when it has none, has shared access: NULL when so,
 * else what is not, in buf.
 */
static const char *vm_mem_unshared(const struct vm_mem *m, char *buf, size_t len)
{
	bool global = vm_node_attr_is(m->access, "mode", "shared");
	char id[16], access[16];
	xmlNodePtr cell;
	unsigned int n = 0;

	for (cell = vm_node_child(m->numa, "cell"); cell != NULL;
	     cell = vm_node_next(cell, "cell"), n++) {
		vm_node_attr(cell, "id", id, sizeof(id));
		if (vm_node_attr(cell, "memAccess", access, sizeof(access)) >= 0) {
			if (strcmp(access, "shared") != 0) {
				snprintf(buf, len, "NUMA cell %s has memAccess='%s'", id, access);
				return buf;
			}
		} else if (!global) {
			snprintf(buf, len,
			         "NUMA cell %s has no memAccess='shared' and the domain no "
			         "<access mode='shared'/>",
			         id);
			return buf;
		}
	}
	if (n == 0 && !global) {
		snprintf(buf, len, "%s",
		         m->access != NULL ? "<memoryBacking> has private access"
		                           : "no <access mode='shared'/> in <memoryBacking>");
		return buf;
	}
	return NULL;
}

int vm_xml_memory_shared(xmlDocPtr doc, char *why, size_t len)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	const char *backing, *unshared;
	char access[160];
	struct vm_mem m;

	if (!vm_node_is(root, "domain"))
		return -EINVAL;
	vm_mem_find(root, &m);
	backing = vm_mem_backing(&m);
	unshared = vm_mem_unshared(&m, access, sizeof(access));
	if (backing != NULL && unshared == NULL) {
		snprintf(why, len, "%s, shared access%s", backing,
		         m.numa != NULL && vm_node_child(m.numa, "cell") != NULL
		                 ? " in every NUMA cell"
		                 : "");
		return 1;
	}
	snprintf(why, len, "%s%s%s",
	         backing != NULL    ? ""
	         : m.source != NULL ? "anonymous memory source: QEMU has no file to pass the switch"
	                            : "no memfd, file or hugepage backing",
	         backing == NULL && unshared != NULL ? "; " : "", unshared != NULL ? unshared : "");
	return 0;
}

static void vm_mem_note(struct vm_mem_change *change, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void vm_mem_note(struct vm_mem_change *change, const char *fmt, ...)
{
	size_t n = strlen(change->what);
	va_list ap;

	if (n > 0 && n + 2 < sizeof(change->what)) {
		strcpy(change->what + n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(change->what + n, sizeof(change->what) - n, fmt, ap);
	va_end(ap);
	change->changed = true;
}

/* The last child element of parent called one of names, or NULL. */
static xmlNodePtr vm_mem_last_of(xmlNodePtr parent, const char *const *names)
{
	xmlNodePtr c, last = NULL;
	const char *const *n;

	for (c = parent->children; c != NULL; c = c->next)
		for (n = names; *n != NULL; n++)
			if (vm_node_is(c, *n))
				last = c;
	return last;
}

/* <memoryBacking> where libvirt writes it: after the memory sizes and tunings. */
static xmlNodePtr vm_mem_add_backing(xmlNodePtr root)
{
	static const char *const before[] = { "maxMemory", "memory",  "currentMemory",
		                              "blkiotune", "memtune", NULL };

	return vm_node_insert(root, vm_mem_last_of(root, before), "memoryBacking");
}

/* <source> then <access>, after what libvirt writes before them. */
static xmlNodePtr vm_mem_add_child(xmlNodePtr backing, const char *name, const char *attr,
                                   const char *value)
{
	static const char *const before[] = { "hugepages", "nosharepages", "locked", "source",
		                              NULL };
	xmlNodePtr node = vm_node_insert(backing, vm_mem_last_of(backing, before), name);

	if (node != NULL && xmlNewProp(node, BAD_CAST attr, BAD_CAST value) == NULL)
		return NULL;
	return node;
}

/* Every NUMA cell with a memAccess of its own other than shared is made shared. */
static int vm_mem_share_cells(const struct vm_mem *m, struct vm_mem_change *change)
{
	char id[16], access[16];
	xmlNodePtr cell;

	for (cell = vm_node_child(m->numa, "cell"); cell != NULL;
	     cell = vm_node_next(cell, "cell")) {
		if (vm_node_attr(cell, "memAccess", access, sizeof(access)) < 0 ||
		    strcmp(access, "shared") == 0)
			continue;
		if (xmlSetProp(cell, BAD_CAST "memAccess", BAD_CAST "shared") == NULL)
			return -ENOMEM;
		vm_node_attr(cell, "id", id, sizeof(id));
		vm_mem_note(change, "NUMA cell %s: memAccess '%s' became 'shared'", id, access);
	}
	return 0;
}

int vm_xml_memory_share(xmlDocPtr doc, struct vm_mem_change *change)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	char why[256], unshared[160];
	struct vm_mem m;
	int ret;

	memset(change, 0, sizeof(*change));
	ret = vm_xml_memory_shared(doc, why, sizeof(why));
	if (ret != 0) /* shared already (1): nothing is missing */
		return ret < 0 ? ret : 0;
	vm_mem_find(root, &m);

	if (m.backing != NULL && (change->old_xml = vm_node_format(m.backing)) == NULL)
		return -ENOMEM;
	if (m.backing == NULL) {
		m.backing = vm_mem_add_backing(root);
		if (m.backing == NULL)
			return -ENOMEM;
		vm_mem_note(change, "added <memoryBacking>");
	}

	if (vm_node_attr_is(m.source, "type", "anonymous")) {
		if (xmlSetProp(m.source, BAD_CAST "type", BAD_CAST "memfd") == NULL)
			return -ENOMEM;
		vm_mem_note(change, "<source type='anonymous'/> became memfd");
	} else if (m.source == NULL && m.hugepages == NULL) {
		if (vm_mem_add_child(m.backing, "source", "type", "memfd") == NULL)
			return -ENOMEM;
		vm_mem_note(change, "added <source type='memfd'/>");
	}

	ret = vm_mem_share_cells(&m, change);
	if (ret < 0)
		return ret;
	/* Cells that all share on their own need nothing of the domain's access. */
	if (vm_mem_unshared(&m, unshared, sizeof(unshared)) != NULL) {
		if (m.access != NULL) {
			if (xmlSetProp(m.access, BAD_CAST "mode", BAD_CAST "shared") == NULL)
				return -ENOMEM;
			vm_mem_note(change, "<access mode='private'/> became shared");
		} else {
			if (vm_mem_add_child(m.backing, "access", "mode", "shared") == NULL)
				return -ENOMEM;
			vm_mem_note(change, "added <access mode='shared'/>");
		}
	}

	change->new_xml = vm_node_format(m.backing);
	return change->new_xml != NULL ? 0 : -ENOMEM;
}

void vm_mem_change_clear(struct vm_mem_change *change)
{
	free(change->old_xml);
	free(change->new_xml);
	memset(change, 0, sizeof(*change));
}
