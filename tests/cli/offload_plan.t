# Where functions of a live source run, as `ffpf plan` shows it (no root needed: nothing is
# opened).  XDP takes what it can; a socket filter passes one stream up, so with --lowest
# kernel only one filter feeding the host stays below; fpl has no eBPF form; --lowest host
# keeps everything up.  When nothing goes up, the kernel flowspace is a tc program, with no
# packet socket.  The loopback device exists everywhere.
%script
R='[ (bpf,"tcp") > (dump,"a.pcap") | (bpf,"udp") > (count) | (bpf,"icmp") > (fpl,"RETURN 1;") ]'
for l in xdp kernel host; do
	echo "-- $l"
	$FFPF plan --lowest $l -i lo "$R" | sed -n '3,9p' | sed -E 's/ +\(([a-z]+) [^)]*\)  \[/ (\1) [/; s/, mbuf [0-9]+B//; s/^ +//'
done
echo "-- kernel, nothing goes up"
$FFPF plan --lowest kernel -i lo '(bpf,"udp") > (count)' | sed -n '3,5p' | sed -E 's/ +\(([a-z]+) [^)]*\)  \[/ (\1) [/; s/, mbuf [0-9]+B//; s/^ +//; s/ \(placed[^]]*//'
$FFPF plan --lowest nowhere -i lo '(count)'; echo "status $?"
%expect
-- xdp
dev#0 (dev) [source, read by its XDP program, xdp@lo]
|-- bpf#1 (bpf) [eBPF, XDP program, xdp@lo]
|   `-- dump#4 (dump) [interpreted: class has no C emitter, host]
|-- bpf#2 (bpf) [eBPF, XDP program, xdp@lo]
|   `-- count#5  (count)  [eBPF, XDP program, xdp@lo]
`-- bpf#3 (bpf) [eBPF, XDP program, xdp@lo]
`-- fpl#6 (fpl) [compiled, host]
-- kernel
dev#0 (dev) [source, read by its socket filter, kernel (XDP not allowed (--lowest kernel))]
|-- bpf#1 (bpf) [compiled, host (placed in xdp@lo; a socket filter passes one stream up, and another already does)]
|   `-- dump#4 (dump) [interpreted: class has no C emitter, host]
|-- bpf#2 (bpf) [eBPF, socket filter, kernel (placed in xdp@lo; XDP not allowed (--lowest kernel))]
|   `-- count#5  (count)  [eBPF, socket filter, kernel (placed in xdp@lo; XDP not allowed (--lowest kernel))]
`-- bpf#3 (bpf) [compiled, host (placed in xdp@lo; a socket filter passes one stream up, and another already does)]
`-- fpl#6 (fpl) [compiled, host]
-- host
dev#0 (dev) [source, host (XDP and kernel not allowed (--lowest host))]
|-- bpf#1 (bpf) [compiled, host (placed in xdp@lo; XDP and kernel not allowed (--lowest host))]
|   `-- dump#4 (dump) [interpreted: class has no C emitter, host]
|-- bpf#2 (bpf) [compiled, host (placed in xdp@lo; XDP and kernel not allowed (--lowest host))]
|   `-- count#5  (count)  [compiled, host (placed in xdp@lo; XDP and kernel not allowed (--lowest host))]
`-- bpf#3 (bpf) [compiled, host (placed in xdp@lo; XDP and kernel not allowed (--lowest host))]
`-- fpl#6 (fpl) [compiled, host]
-- kernel, nothing goes up
dev#0 (dev) [source, read by its tc program, kernel (XDP not allowed (--lowest kernel))]
`-- bpf#1 (bpf) [eBPF, tc program, kernel]
`-- count#2  (count)  [eBPF, tc program, kernel]
status 2
%stderr
ffpf: --lowest wants xdp, kernel or host, not 'nowhere'
