# Without a C compiler everything runs interpreted with the same results, and the plan says why.
%script
R='(bpf,"udp") > [ (count) | (bytes) ]'
FFPF_CC=/nonexistent/cc $FFPF plan -r "$T/small.pcap" "$R" | grep -c 'interpreted: no C compiler'
$FFPF run -q -r "$T/small.pcap" "$R" > with.txt
FFPF_CC=/nonexistent/cc XDG_CACHE_HOME=$PWD/cache $FFPF run -q -r "$T/small.pcap" "$R" > without.txt
cmp with.txt without.txt && echo same results
FFPF_CC=/nonexistent/cc XDG_CACHE_HOME=$PWD/cache $FFPF run -q --json -r "$T/small.pcap" "$R" | grep -c '"mode":"interpreted"'
FFPF_CC=false XDG_CACHE_HOME=$PWD/cache2 $FFPF run -q --json -r "$T/small.pcap" "$R" | grep -c '"mode":"interpreted"'
%expect
3
same results
3
3
