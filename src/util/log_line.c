// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whether stderr ends in a line without its newline (the replay's progress on a terminal), which a
 * message clears first. Nothing else: the messages are log.h's, the progress replay's.
 */
#include <stdio.h>

#include "util/log.h"

static int line_open;

void bpfix_log_line_open(int open)
{
	line_open = open;
}

void bpfix_log_begin(void)
{
	if (!line_open)
		return;
	fputs("\r\033[K", stderr); /* back to the line's start, erase to its end */
	line_open = 0;
}
