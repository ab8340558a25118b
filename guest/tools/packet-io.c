// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's side of the GEM tests (guest/versal.sh): the test frames of
 * gem-frame.h through an AF_PACKET socket on an interface that macb
 * drives.
 *
 *   packet-io send IFACE STREAM COUNT [GAP_MS] [DST]
 *	send frames 0..COUNT-1 of STREAM to DST (default broadcast),
 *	GAP_MS milliseconds apart (default 0)
 *   packet-io recv IFACE STREAM COUNT TIMEOUT_MS [DST]
 *	say "ready" once the socket is bound, then receive until frames
 *	0..COUNT-1 of STREAM to DST (default broadcast) came or TIMEOUT_MS
 *	passed: each once, every byte checked (and the FCS where the frame
 *	carries one), in any order (see gem-frame.h)
 *
 * Prints one summary line; exits 0 if all frames were sent / came intact,
 * 1 if not, 2 on a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gem-frame.h"

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int do_send(int s, const char *ifname, unsigned int stream,
		   unsigned int count, unsigned int gap, const uint8_t dst[6])
{
	uint8_t frame[GEM_FRAME_MAX];
	unsigned int i;

	for (i = 0; i < count; i++) {
		size_t len = gem_frame_build(frame, dst, stream, i);

		if (send(s, frame, len, 0) != (ssize_t)len) {
			printf("%s: frame %u: send: %s\n", ifname, i, strerror(errno));
			return 1;
		}
		if (gap)
			usleep(gap * 1000);
	}
	printf("%s: sent %u frames of stream %u\n", ifname, count, stream);
	return 0;
}

static int do_recv(int s, const char *ifname, unsigned int stream,
		   unsigned int count, long timeout, const uint8_t dst[6])
{
	long end = ms_now() + timeout;
	struct gem_frame_rx r;
	uint8_t frame[2048];
	char why[160];

	if (gem_frame_rx_init(&r, count)) {
		printf("%s: out of memory\n", ifname);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (r.got < count) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		long left = end - ms_now();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = recvfrom(s, frame, sizeof(frame), 0,
			     (struct sockaddr *)&from, &flen);
		if (n < 0) {
			printf("%s: recv: %s\n", ifname, strerror(errno));
			return 1;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (gem_frame_rx(&r, frame, n, dst, stream, why, sizeof(why))) {
			printf("%s: %s\n", ifname, why);
			return 1;
		}
	}
	printf("%s: received %u of %u frames of stream %u, every byte checked (%u out of order, %u with their FCS, %u other frames)\n",
	       ifname, r.got, count, stream, r.reordered, r.fcs, r.other);
	return r.got == count ? 0 : 1;
}

int main(int argc, char **argv)
{
	uint8_t dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct sockaddr_ll sll = { 0 };
	unsigned int stream, count;
	bool send_mode;
	const char *mac = NULL;
	long arg5 = 0;
	int s;

	if (argc < 5 || argc > 7 ||
	    (strcmp(argv[1], "send") && strcmp(argv[1], "recv")) ||
	    (!strcmp(argv[1], "recv") && argc < 6)) {
		fprintf(stderr,
			"usage: %s send IFACE STREAM COUNT [GAP_MS] [DST]\n"
			"       %s recv IFACE STREAM COUNT TIMEOUT_MS [DST]\n",
			argv[0], argv[0]);
		return 2;
	}
	send_mode = !strcmp(argv[1], "send");
	stream = strtoul(argv[3], NULL, 0);
	count = strtoul(argv[4], NULL, 0);
	if (argc > 5)
		arg5 = strtol(argv[5], NULL, 0);
	if (argc > 6)
		mac = argv[6];
	if (mac && parse_mac(mac, dst)) {
		fprintf(stderr, "%s: not a MAC address\n", mac);
		return 2;
	}
	s = socket(AF_PACKET, SOCK_RAW, htons(GEM_FRAME_ETHERTYPE));
	if (s < 0) {
		printf("socket(AF_PACKET): %s\n", strerror(errno));
		return 1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(GEM_FRAME_ETHERTYPE);
	sll.sll_ifindex = if_nametoindex(argv[2]);
	if (!sll.sll_ifindex || bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		printf("%s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (send_mode)
		return do_send(s, argv[2], stream, count, arg5, dst);
	return do_recv(s, argv[2], stream, count, arg5, dst);
}
