# `dump` writes the same pcap file as tcpdump -w, byte for byte; a failed run publishes nothing.
%script
tcpdump -r "$T/mixed.pcap" -w want.pcap 'udp or arp' 2>/dev/null
$FFPF run -q -r "$T/mixed.pcap" '(bpf,"udp or arp") > (dump,"got.pcap")' > /dev/null
cmp want.pcap got.pcap && echo identical
head -c 100000 "$T/mixed.pcap" > cut.pcap
$FFPF run -q -r cut.pcap '(dump,"partial.pcap")'; echo "status $?"
find . -name 'partial.pcap*' | wc -l
%expect
identical
status 1
0
%stderr
cut.pcap: truncated dump file
results are incomplete
