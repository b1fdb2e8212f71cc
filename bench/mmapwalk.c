/* mmapwalk.c — the floor: the plain cost of walking a pcap trace, no libpcap, no filter.
 *
 *   mmapwalk TRACE        prints "PACKETS CAPTURED_BYTES"
 *   mmapwalk -r TRACE     the same, reading with read(2) into one reused 1 MiB buffer
 *
 * mmaps the whole file read-only and walks the 16-byte record headers from one to the next,
 * counting packets and summing caplen.  Packet bytes are not read (their pages are touched
 * anyway whenever a header shares them, which for small packets is nearly always).  Classic pcap
 * only (either byte order, µs or ns); a truncated last record is an error.  Any tool that reads
 * the same trace and looks at each packet costs at least this much.
 *
 * -r: the other way to get the bytes.  mmap maps every page of the file into the process (page
 * faults, and TLB misses over the whole file); read(2) copies the file through one small buffer
 * that stays in cache.  Which one is cheaper depends on the machine (under some hypervisors a
 * fresh page is much dearer than a copy), so the benchmark measures both.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t get32(const unsigned char *p, int swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static int swap_for(uint32_t magic)
{
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		return 0;
	if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		return 1;
	return -1;
}

#define CHUNK (1u << 20)

/* read(2) walk: records may straddle chunks; `skip` carries the rest of a record's data. */
static int readwalk(const char *path)
{
	static unsigned char buf[CHUNK + 16];
	uint64_t packets = 0, bytes = 0, skip = 0;
	size_t have = 0; /* bytes of an incomplete header carried over at buf[0..have) */
	int fd = open(path, O_RDONLY), swap = -1, hdr_done = 0;
	ssize_t n;

	if (fd < 0) {
		perror(path);
		return 1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while ((n = read(fd, buf + have, CHUNK)) > 0) {
		size_t len = have + (size_t)n, p = 0;
		if (!hdr_done) {
			uint32_t magic;
			if (len < 24) {
				fprintf(stderr, "%s: too short for a pcap file\n", path);
				return 1;
			}
			memcpy(&magic, buf, 4);
			if ((swap = swap_for(magic)) < 0) {
				fprintf(stderr, "%s: not a classic pcap file (magic %08x)\n", path, magic);
				return 1;
			}
			p = 24;
			hdr_done = 1;
		}
		for (;;) {
			if (skip) {
				size_t s = len - p < skip ? len - p : (size_t)skip;
				p += s;
				skip -= s;
				if (skip)
					break;
			}
			if (len - p < 16)
				break;
			uint32_t caplen = get32(buf + p + 8, swap);
			bytes += caplen;
			packets++;
			p += 16;
			skip = caplen;
		}
		have = len - p;
		memmove(buf, buf + p, have);
	}
	if (n < 0) {
		perror(path);
		return 1;
	}
	if (have || skip) {
		fprintf(stderr, "%s: truncated last record\n", path);
		return 1;
	}
	printf("%llu %llu\n", (unsigned long long)packets, (unsigned long long)bytes);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct stat st;
	int fd, swap;
	uint32_t magic;

	if (argc == 3 && !strcmp(argv[1], "-r"))
		return readwalk(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: mmapwalk [-r] TRACE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 1;
	}
	if (st.st_size < 24) {
		fprintf(stderr, "%s: too short for a pcap file\n", argv[1]);
		return 1;
	}
	const unsigned char *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	madvise((void *)base, (size_t)st.st_size, MADV_SEQUENTIAL);
	memcpy(&magic, base, 4);
	if ((swap = swap_for(magic)) < 0) {
		fprintf(stderr, "%s: not a classic pcap file (magic %08x)\n", argv[1], magic);
		return 1;
	}

	const unsigned char *p = base + 24, *end = base + st.st_size;
	uint64_t packets = 0, bytes = 0;
	while (p < end) {
		uint32_t caplen;
		if (end - p < 16)
			break;
		caplen = get32(p + 8, swap);
		if ((uint64_t)(end - p - 16) < caplen)
			break;
		bytes += caplen;
		packets++;
		p += 16 + (size_t)caplen;
	}
	if (p != end) {
		fprintf(stderr, "%s: truncated record at offset %lld\n", argv[1],
			(long long)(p - base));
		return 1;
	}
	printf("%llu %llu\n", (unsigned long long)packets, (unsigned long long)bytes);
	munmap((void *)base, (size_t)st.st_size);
	close(fd);
	return 0;
}
