// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's side of the GEM tests (guest/versal.sh): Ethernet frames of
 * the local experimental EtherType 0x88b5 through an AF_PACKET socket on
 * an interface driven by macb.
 *
 *   packet send IFACE COUNT      send COUNT broadcast frames, payload
 *                                "vfio-platform gem N"
 *   packet recv IFACE COUNT MS   receive until COUNT such frames came or
 *                                MS milliseconds passed; print each
 *                                payload; exit 0 if all came
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETHERTYPE	0x88b5
#define FRAME_LEN	60

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = { 0 };
	unsigned char frame[1600];
	int s, i, count, got = 0;
	long end;

	if (argc < 4 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv")) ||
	    (!strcmp(argv[1], "recv") && argc != 5)) {
		fprintf(stderr, "usage: %s send IFACE COUNT | recv IFACE COUNT MS\n", argv[0]);
		return 2;
	}
	count = atoi(argv[3]);
	s = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE));
	if (s < 0) {
		perror("socket");
		return 1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETHERTYPE);
	sll.sll_ifindex = if_nametoindex(argv[2]);
	if (!sll.sll_ifindex || bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		perror(argv[2]);
		return 1;
	}
	if (!strcmp(argv[1], "send")) {
		for (i = 0; i < count; i++) {
			memset(frame, 0, FRAME_LEN);
			memset(frame, 0xff, 6);			/* broadcast */
			memcpy(frame + 6, "\x02\x00\x00\x00\x00\x02", 6);
			frame[12] = ETHERTYPE >> 8;
			frame[13] = ETHERTYPE & 0xff;
			snprintf((char *)frame + 14, FRAME_LEN - 14, "vfio-platform gem %d", i);
			if (send(s, frame, FRAME_LEN, 0) != FRAME_LEN) {
				perror("send");
				return 1;
			}
		}
		printf("sent %d\n", count);
		return 0;
	}
	end = ms_now() + atol(argv[4]);
	while (got < count && ms_now() < end) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, end - ms_now()) <= 0)
			break;
		n = recv(s, frame, sizeof(frame) - 1, 0);
		if (n < 14)
			continue;
		frame[n] = 0;
		if (strncmp((char *)frame + 14, "vfio-platform gem", 17))
			continue;
		printf("received %zd bytes: %s\n", n, (char *)frame + 14);
		got++;
	}
	printf("received %d of %d\n", got, count);
	return got == count ? 0 : 1;
}
