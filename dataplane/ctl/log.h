/* SPDX-License-Identifier: BSD-3-Clause */
/* One log call for the whole daemon: stderr, so systemd's journal keeps it. */
#ifndef LANSWITCH_LOG_H
#define LANSWITCH_LOG_H

#include <stdio.h>

#define LOG(level, fmt, ...) fprintf(stderr, "lanswitchd: " level ": " fmt "\n", ##__VA_ARGS__)
#define LOG_INFO(fmt, ...) LOG("info", fmt, ##__VA_ARGS__)
#define LOG_WARN(fmt, ...) LOG("warning", fmt, ##__VA_ARGS__)
#define LOG_ERR(fmt, ...) LOG("error", fmt, ##__VA_ARGS__)

#endif
