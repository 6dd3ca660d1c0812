/*
 * The kernel's share of a loopback UDP sender, without any JVM: sends 200-byte datagrams (an Opus
 * packet of ~160 bytes with its RTP header and SRTP tag) to 127.0.0.1:PORT at the rate of CALLS
 * group calls (50 packets/s each), released in 1 ms slots of CALLS/20 packets as the pacing wheel
 * does, from SOCKETS sockets in turn (one per call, as tgcalls4j binds by default, or 1 as with a
 * shared port) with one sendto per datagram, or with sendmmsg in batches of BATCH from the first
 * socket. Prints user and system CPU per datagram (getrusage) and the share of one core.
 * Part of the scale benchmark's explanation (tgcalls4j-bench/README.md), never of the tests.
 *
 * usage: udp_floor PORT CALLS SOCKETS BATCH SECONDS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#define DATAGRAM_BYTES 200
#define MAX_BATCH 1024

static double micros(struct timeval t) { return t.tv_sec * 1e6 + t.tv_usec; }

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s PORT CALLS SOCKETS BATCH SECONDS\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]), calls = atoi(argv[2]), sockets = atoi(argv[3]), batch = atoi(argv[4]);
  int seconds = atoi(argv[5]);
  if (port <= 0 || port > 65535 || calls < 20 || sockets < 1 || batch < 1 || batch > MAX_BATCH
      || seconds < 1) {
    fprintf(stderr, "bad arguments: PORT 1..65535, CALLS >= 20, SOCKETS >= 1, BATCH 1..%d, SECONDS >= 1\n",
        MAX_BATCH);
    return 2;
  }
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons((unsigned short) port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int *fds = calloc((size_t) sockets, sizeof *fds);
  for (int i = 0; i < sockets; i++) {
    if ((fds[i] = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
      perror("socket");
      return 1;
    }
  }
  static char payload[DATAGRAM_BYTES];
  memset(payload, 0x5a, sizeof payload);
  static struct mmsghdr messages[MAX_BATCH];
  static struct iovec iov[MAX_BATCH];
  for (int i = 0; i < MAX_BATCH; i++) {
    iov[i].iov_base = payload;
    iov[i].iov_len = sizeof payload;
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_name = &to;
    messages[i].msg_hdr.msg_namelen = sizeof to;
  }
  int perSlot = calls / 20; /* 50 packets/s per call in 1 ms slots */
  long slots = seconds * 1000L, sent = 0;
  int next = 0;
  struct rusage r0, r1;
  struct timespec t0, t1;
  getrusage(RUSAGE_SELF, &r0);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long slot = 1; slot <= slots; slot++) {
    for (int j = 0; j < perSlot;) {
      if (batch == 1) {
        sendto(fds[next], payload, sizeof payload, 0, (struct sockaddr *) &to, sizeof to);
        next = (next + 1) % sockets;
        j++;
      } else {
        int n = perSlot - j < batch ? perSlot - j : batch;
        sendmmsg(fds[0], messages, (unsigned) n, 0);
        j += n;
      }
    }
    sent += perSlot;
    struct timespec due = t0;
    long ns = slot * 1000000L;
    due.tv_sec += ns / 1000000000L;
    due.tv_nsec += ns % 1000000000L;
    if (due.tv_nsec >= 1000000000L) {
      due.tv_sec++;
      due.tv_nsec -= 1000000000L;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  getrusage(RUSAGE_SELF, &r1);
  double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  double user = micros(r1.ru_utime) - micros(r0.ru_utime);
  double system = micros(r1.ru_stime) - micros(r0.ru_stime);
  printf("calls %d (%d datagrams/s), %d socket(s), %s: %ld datagrams in %.1f s; "
      "user %.2f us, system %.2f us per datagram; %.1f %% of one core\n",
      calls, calls * 50, sockets, batch == 1 ? "sendto each" : "sendmmsg batches", sent, wall,
      user / sent, system / sent, (user + system) / 1e4 / wall);
  return 0;
}
