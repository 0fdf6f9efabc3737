/* SPDX-License-Identifier: BSD-3-Clause */
/* libxml2 helpers shared by the vm_*.c files (vm_xml_node.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "vm_xml_node.h"

bool vm_node_is(xmlNodePtr node, const char *name)
{
	return node != NULL && node->type == XML_ELEMENT_NODE && node->ns == NULL &&
	       xmlStrEqual(node->name, BAD_CAST name);
}

xmlNodePtr vm_node_child(xmlNodePtr parent, const char *name)
{
	xmlNodePtr c;

	if (parent == NULL)
		return NULL;
	for (c = parent->children; c != NULL; c = c->next)
		if (vm_node_is(c, name))
			return c;
	return NULL;
}

xmlNodePtr vm_node_next(xmlNodePtr node, const char *name)
{
	for (node = node->next; node != NULL; node = node->next)
		if (vm_node_is(node, name))
			return node;
	return NULL;
}

bool vm_node_attr_is(xmlNodePtr node, const char *attr, const char *value)
{
	xmlChar *v = xmlGetNoNsProp(node, BAD_CAST attr);
	bool is = v != NULL && xmlStrEqual(v, BAD_CAST value);

	xmlFree(v);
	return is;
}

int vm_node_attr(xmlNodePtr node, const char *attr, char *buf, size_t len)
{
	xmlChar *v = xmlGetNoNsProp(node, BAD_CAST attr);
	size_t n;

	buf[0] = '\0';
	if (v == NULL)
		return -ENOENT;
	n = strlen((const char *)v);
	snprintf(buf, len, "%s", (const char *)v);
	xmlFree(v);
	return n < len ? (int)n : -ENAMETOOLONG;
}

/* Whether the document is indented: libvirt's always is, a hand-made one may not be. */
static bool vm_node_doc_indented(xmlNodePtr node)
{
	xmlNodePtr root = xmlDocGetRootElement(node->doc), c;

	for (c = root != NULL ? root->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c) &&
		    strchr((const char *)c->content, '\n') != NULL)
			return true;
	return false;
}

/*
 * "\n" and the indentation of a child of parent (extra 1) or of parent's own closing tag
 * (extra 0): two spaces per level, the root's children one level in.
 */
static xmlNodePtr vm_node_indent(xmlNodePtr parent, int extra)
{
	char text[128] = "\n";
	xmlDocPtr doc = parent->doc;
	int depth = extra - 1, i;

	for (; parent != NULL && parent->type == XML_ELEMENT_NODE; parent = parent->parent)
		depth++;
	for (i = 0; i < depth && 2 * i + 3 < (int)sizeof(text); i++)
		strcat(text, "  ");
	return xmlNewDocText(doc, BAD_CAST text);
}

xmlNodePtr vm_node_insert(xmlNodePtr parent, xmlNodePtr after, const char *name)
{
	xmlNodePtr node, before = NULL, close = NULL;

	node = xmlNewDocNode(parent->doc, NULL, BAD_CAST name, NULL);
	if (node == NULL)
		return NULL;
	if (vm_node_doc_indented(parent)) {
		before = vm_node_indent(parent, 1);
		if (parent->children == NULL)
			close = vm_node_indent(parent, 0);
		if (before == NULL || (parent->children == NULL && close == NULL))
			goto free_nodes;
	}

	/*
	 * The element goes in first, then its indentation before it: libxml2 merges a text
	 * node added next to another one, which would put all the whitespace on one side.
	 */
	if (after != NULL)
		xmlAddNextSibling(after, node);
	else if (parent->children != NULL)
		xmlAddPrevSibling(parent->children, node);
	else
		xmlAddChild(parent, node);
	if (before != NULL)
		xmlAddPrevSibling(node, before);
	if (close != NULL)
		xmlAddNextSibling(node, close);
	return node;

free_nodes:
	xmlFreeNode(before);
	xmlFreeNode(close);
	xmlFreeNode(node);
	return NULL;
}

void vm_node_remove(xmlNodePtr node)
{
	xmlNodePtr prev = node->prev;

	if (prev != NULL && prev->type == XML_TEXT_NODE && xmlIsBlankNode(prev)) {
		xmlUnlinkNode(prev);
		xmlFreeNode(prev);
	}
	xmlUnlinkNode(node);
	xmlFreeNode(node);
}

/* Drops the document's indentation from a copy, so that libxml2 indents it afresh. */
static void vm_node_strip_blanks(xmlNodePtr node)
{
	xmlNodePtr c, next;

	for (c = node->children; c != NULL; c = next) {
		next = c->next;
		if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		} else if (c->type == XML_ELEMENT_NODE) {
			vm_node_strip_blanks(c);
		}
	}
}

char *vm_node_format(xmlNodePtr node)
{
	xmlBufferPtr buf;
	xmlNodePtr copy;
	char *text = NULL;

	copy = xmlDocCopyNode(node, node->doc, 1);
	if (copy == NULL)
		return NULL;
	buf = xmlBufferCreate();
	if (buf == NULL)
		goto free_copy;
	vm_node_strip_blanks(copy);
	if (xmlNodeDump(buf, node->doc, copy, 0, 1) >= 0)
		text = strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
free_copy:
	xmlFreeNode(copy);
	return text;
}
