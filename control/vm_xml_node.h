/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The few libxml2 operations the vm_*.c files share over a libvirt domain document: find a
 * child element, read an attribute, add and remove children so that the document keeps its
 * indentation, and print one element. Domain elements carry no namespace; these helpers match
 * only elements without one, so a <lanswitch:ports> in <metadata> is never taken for
 * something of libvirt's.
 */
#ifndef LANSWITCH_VM_XML_NODE_H
#define LANSWITCH_VM_XML_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

/* The first child element of parent called name, or NULL. */
xmlNodePtr vm_node_child(xmlNodePtr parent, const char *name);
/* The next sibling element after node called name, or NULL. */
xmlNodePtr vm_node_next(xmlNodePtr node, const char *name);
/* Whether node is an element called name. */
bool vm_node_is(xmlNodePtr node, const char *name);
/* Whether node has attribute attr equal to value. */
bool vm_node_attr_is(xmlNodePtr node, const char *attr, const char *value);
/*
 * Copies attribute attr into buf. Returns its length, -ENOENT when node has none (buf is then
 * ""), -ENAMETOOLONG when it does not fit (buf holds what did).
 */
int vm_node_attr(xmlNodePtr node, const char *attr, char *buf, size_t len);

/*
 * A new empty element called name, a child of parent placed right after the child after
 * (NULL: first), indented as its siblings are when the document is indented. NULL when out
 * of memory.
 */
xmlNodePtr vm_node_insert(xmlNodePtr parent, xmlNodePtr after, const char *name);
/* Unlinks and frees node, with the indentation before it. */
void vm_node_remove(xmlNodePtr node);

/*
 * The element's text as libvirt would print it on its own (two spaces a level), whatever
 * its indentation in the document; malloc'ed, NULL when out of memory. Attribute values are
 * in double quotes where libvirt writes single ones: the same XML to any parser.
 */
char *vm_node_format(xmlNodePtr node);

#endif
